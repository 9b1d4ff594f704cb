"""Live traffic -> fixture; everything personal stays inside this package."""
