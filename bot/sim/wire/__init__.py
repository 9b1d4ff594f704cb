"""The platform's half of the protocol: pushes as it builds, signs, seals and retries them."""
