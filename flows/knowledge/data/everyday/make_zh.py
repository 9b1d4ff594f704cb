"""Build zh_CN.txt: Chinese characters that say nothing of a question's topic (one per line).

Source: jieba's shipped dictionary only (lines "word freq pos"), plus the hand-written lists
below; no question data and no knowledge-base file is read. The retriever reads the result
(zh_CN.txt), never this script or jieba's dictionary: run it by hand when a list changes,
`python flows/knowledge/data/everyday/make_zh.py`, and commit zh_CN.txt.
"""

from collections import Counter
from pathlib import Path

import jieba

DICT = Path(jieba.__file__).with_name("dict.txt")
OUT = Path(__file__).with_name("zh_CN.txt")

# POS tags that mark a word as non-topical (jieba / ICTCLAS tag set):
# r pronoun, t/tg time, f direction, p preposition, c conjunction, u* particles,
# d adverb, m/mq numeral, q measure word, y modal particle, e interjection, o onomatopoeia.
POS = {"r", "t", "tg", "f", "p", "c", "u", "ud", "uj", "ul", "uv", "uz",
       "d", "m", "mq", "q", "y", "e", "o"}
MIN_FREQ = 500  # "most frequent": words of these tags at or above this count (jieba's freq)

# ns restricted to: provincial-level divisions, provincial capitals, and ~50 of the largest
# other cities (by population / economy). Only their characters are taken, never all ns words.
PROVINCES = """北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南
湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"""
CAPITALS = """石家庄 太原 沈阳 长春 哈尔滨 南京 杭州 合肥 福州 南昌 济南 郑州 武汉 长沙 广州
海口 成都 贵阳 昆明 西安 兰州 西宁 台北 呼和浩特 南宁 拉萨 银川 乌鲁木齐"""
CITIES = """深圳 苏州 青岛 宁波 无锡 佛山 东莞 泉州 南通 烟台 常州 温州 大连 厦门 徐州 唐山
潍坊 临沂 保定 绍兴 嘉兴 金华 台州 洛阳 南阳 邯郸 赣州 扬州 盐城 淄博 惠州 中山 珠海 汕头
湛江 襄阳 宜昌 榆林 鄂尔多斯 菏泽 济宁 沧州 廊坊 周口 商丘 阜阳 邢台 芜湖 绵阳 包头"""
PLACES = "省 市 县 区 镇 乡 村 街 城 国 外地 本地 当地 老家 家乡 附近 国外 海外 全国"

# Everyday words jieba tags v/a/n/l (so the POS pass misses them), written by hand:
# motion and communication verbs, general verbs, general adjectives, family and person
# words, politeness. Their characters are taken.
EVERYDAY = """
来 去 走 回 到 进 出 说 问 让 等 看 找 拿 带 给 送 过 搬 住 离开 留 停 坐 站 跑 跟 返回 经过
到达 旅行 出差 出门 回家 上班 下班
要 想 能 会 可以 做 用 知道 听 告诉 讲 叫 打 开 关 放 收 发 写 读 联系 通知 回复 回答
答应 同意 觉得 认为 以为 记得 忘记 懂 明白 清楚 试试 帮忙 请 谢谢 需要 应该 必须 准备
接 等待 有 是 没有 换 改 变 办 弄 搞 成 算 遇到 发生 出现 开始 结束 继续 完成 决定 希望
打算 担心 麻烦 怎么办 弄好 搞定 确认 检查 查看 看看 选 选择 使用 管 处理 解决 了解 提
大 小 多 少 新 旧 好 坏 对 错 同 一样 不同 真 假 早 晚 快 慢 长 短 高 低 远 近 难 容易
简单 正常 普通 一般 可能 必要 重要 清楚 方便 麻烦 够 满 空 全 整 半 老 年轻
人 男 女 孩子 小孩 宝宝 家人 爸爸 妈妈 父亲 母亲 父母 儿子 女儿 孙子 孙女 丈夫 妻子
老公 老婆 爱人 哥哥 弟弟 姐姐 妹妹 兄弟 爷爷 奶奶 姥姥 姥爷 外公 外婆 叔叔 阿姨 舅舅
亲戚 朋友 同事 邻居 别人 大家 本人 自己 老人 老年人 孩子们
感觉 感到 好像 似乎
你好 您好 您 谢谢 不客气 对不起 抱歉 不好意思 请问 麻烦 喂 嗯 哦 噢 啊 好的 行吗 可以吗
星期 礼拜 周末 上午 中午 下午 晚上 早上 凌晨 昨天 今天 明天 前天 后天 以前 以后 现在 刚才
马上 已经 还没 之前 之后 最近 时候 时间 分钟 小时 点钟 号 日子 天天 每天 这周 下周 上周
事情 情况 问题 东西 地方 办法 方式 步骤 原因 意思 样子 部分 别的 其他 之类 接下来
"""

# Characters removed even when a list above yields them, because the character alone is
# commonly the topical word of a question (it names an object, an institution, a service,
# money, health, a document or an account action), so a line holding it must not pass as
# everyday talk. The first row is the brief's; the rest extend it by the same test:
# "would this character alone tell you what the question is about?"
EXCLUDE = """
卡 码 药 车 钱 税 医 保 险 病 学 校 手 机 银 行 证 户 账 密 绑 挂 失 补 费 丢 锁
社 金 款 贷 存 付 支 购 买 卖 价 票 房 租 元 美 镑 磅 股 帐 资 薪 工 财 贴 息 债 品
电 网 信 微 登 录 册 屏 视 脑 邮 寄 递 包 货
饭 吃 餐 菜 酒 茶 米 烟 味 衣 鞋 书 课 考 科 报 章 卷 照 护 签 档 表 印 刷
身 脸 肩 脚 拳 婚 孕 育 伤 残 疾 诊 院 针 治 康 健 死 亡 葬
司 企 局 厅 警 律 派 赛 战 戏 轮 船 飞 枪 火 刀 杯 碗 壶 箱 盒 袋 盏 帖 幕 盘 堂 辆 艘
冻 修 掉 领 偷 剧
"""
# Notes on a few: 行 is 银行 (the brief lists it) though 不行 is everyday; 号 stays (几号 is a
# date, 号码 is caught by 码). 工 is 工资/工伤, 身 is 身份/身体, 脸 is 刷脸, 轮 is 轮胎, 支 is
# 支付/支付宝, 包 is 钱包/包裹, 照 is 照片/护照, 科 is 科室/本科, 品 is 产品/药品; 登/录/册 are
# 登录/注册; 电/网/信/微 are phone, internet, 微信; 掉 and 领 follow 丢 and 补 (a loss, a
# collection; 偷 a theft; 剧 a TV drama); 金/保/银/烟 go though 金华/保定/银川/烟台 lose a
# character. Kept on purpose:
# 试 (试试), 件 (一件事, 条件), 贵 (贵州), 客 (不客气), 办 (怎么办), 换, 改, 查.


def dictionary() -> list[tuple[str, int, str]]:
    rows = []
    for line in DICT.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            rows.append((parts[0], int(parts[1]), parts[2]))
    return rows


def cjk(text: str) -> list[str]:
    return [ch for ch in text if "\u3400" <= ch <= "\u9fff"]


def main() -> None:
    rows = dictionary()
    known_ns = {w for w, _, p in rows if p == "ns"}
    names = (PROVINCES + " " + CAPITALS + " " + CITIES).split()
    missing = [n for n in names if n not in known_ns]

    source: dict[str, str] = {}  # char -> where it first came from
    by_pos = Counter()
    for word, freq, pos in sorted(rows, key=lambda r: -r[1]):
        if pos in POS and freq >= MIN_FREQ:
            for ch in cjk(word):
                if ch not in source:
                    source[ch] = pos
                    by_pos[pos] += 1
    for group, text in (("ns", " ".join(names)), ("places", PLACES), ("everyday", EVERYDAY)):
        for ch in cjk(text):
            if ch not in source:
                source[ch] = group
                by_pos[group] += 1

    exclude = set(EXCLUDE.split())
    assert all(len(ch) == 1 for ch in exclude), "EXCLUDE holds single characters"
    removed = sorted(ch for ch in source if ch in exclude)
    kept = [ch for ch in source if ch not in exclude]
    OUT.write_text("\n".join(kept) + "\n", encoding="utf-8")

    print(f"dictionary rows: {len(rows)}; POS words >= {MIN_FREQ}: "
          f"{sum(1 for _, f, p in rows if p in POS and f >= MIN_FREQ)}")
    print(f"place names: {len(names)} (not tagged ns in jieba: {' '.join(missing) or 'none'})")
    print("characters first contributed by:", dict(by_pos.most_common()))
    print(f"collected {len(source)}, excluded {len(removed)}: {''.join(removed)}")
    print(f"exclusion list size {len(exclude)} (unused: "
          f"{''.join(sorted(exclude - set(source)))})")
    print(f"kept {len(kept)} -> {OUT}")


if __name__ == "__main__":
    main()
