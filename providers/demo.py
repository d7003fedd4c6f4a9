"""Deterministic demo platform (providers, operators, merchants, sessions, logins) for `manage.py seed_demo`.

How it is built:

- ``generate(config)`` runs the functions in ``STEPS`` in order inside one transaction. Each step
  receives the shared ``Demo`` state, reads what earlier steps made, bulk-inserts its own rows and
  records what it made in ``demo.counts``.
- Each step draws from its own random stream (``demo.rng(step_name)``, seeded from the seed and the
  step's name), so adding a step later never changes the data of the steps before it.
- Every date is relative to ``config.today`` (an Asia/Shanghai calendar date); the session window
  is ``[today - days, today - 1]``. Pin ``today`` and the data is the same on any day.

To extend (past qualification cycles, admission applications, certificates, appeals, ...): write
``def make_<things>(demo: Demo) -> None`` and append ``("<things>", make_<things>)`` to ``STEPS``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection

from core import roles
from core.tokens import api_token_create, api_token_for_key

from .models import (
    Complaint,
    Employment,
    Engagement,
    IngestBatch,
    LiveSession,
    Merchant,
    Operator,
    Provider,
    ProviderUser,
    Violation,
)
from .validators import CREDIT_CODE_CHARSET, credit_code_check_char

SHANGHAI = ZoneInfo("Asia/Shanghai")

# One password for every demo login, printed by the command: this is demo data, never production.
DEMO_PASSWORD = "saima-demo-2026"  # noqa: S105

# username → (groups, is_superuser, what the login is for)
STAFF_LOGINS = {
    "admin": ([], True, "superuser: Django admin and everything"),
    "reviewer": ([roles.ADMISSION_REVIEWER], False, "admission reviewer (严准入)"),
    "manager": ([roles.CYCLE_MANAGER], False, "cycle manager (强赛马)"),
    "manager2": ([roles.CYCLE_MANAGER], False, "second cycle manager (the checker of a delisting)"),
    "appeals": ([roles.APPEAL_REVIEWER], False, "appeal reviewer (申诉)"),
    "auditor": ([roles.AUDITOR], False, "auditor, read-only"),
    "finance": ([roles.FINANCE], False, "finance (收益线上化): statements, disputes, approvals, payouts"),
    "finance2": ([roles.FINANCE], False, "second finance member (the second approver above ¥1,000,000)"),
}
PROVIDER_LOGINS = ["provider1", "provider2"]  # users of the first and second provider
PIPELINE_LOGIN = "pipeline"


def demo_pipeline_key() -> str:
    """The demo pipeline's API key. Only its hash is stored, so `seed_demo --logins` derives it again:
    from SECRET_KEY (the demo runs with DEBUG only), the same on every run of one installation."""
    return hmac.new(settings.SECRET_KEY.encode(), b"saima demo pipeline token", hashlib.sha256).hexdigest()[:40]


# (province, city, administrative division code used in the credit code)
CITIES = [
    ("浙江", "杭州", "330100"),
    ("浙江", "宁波", "330200"),
    ("广东", "广州", "440100"),
    ("广东", "深圳", "440300"),
    ("上海", "上海", "310000"),
    ("北京", "北京", "110000"),
    ("四川", "成都", "510100"),
    ("江苏", "南京", "320100"),
    ("湖北", "武汉", "420100"),
    ("湖南", "长沙", "430100"),
    ("福建", "厦门", "350200"),
    ("重庆", "重庆", "500000"),
]
# 产业带: clusters known for one kind of goods; their providers serve merchants of those categories.
BELTS = [
    ("浙江", "义乌", "330782", ["家居", "百货"]),
    ("福建", "泉州", "350500", ["鞋靴", "运动户外"]),
    ("广东", "佛山", "440600", ["家居"]),
    ("广东", "东莞", "441900", ["数码"]),
    ("山东", "临沂", "371300", ["食品", "生鲜"]),
    ("广东", "广州", "440100", ["服饰", "美妆"]),
    ("江苏", "苏州", "320500", ["服饰"]),
]
# category → (typical order value in yuan, typical refund rate)
CATEGORIES = {
    "服饰": (129, 0.22),
    "美妆": (159, 0.08),
    "食品": (49, 0.04),
    "家居": (89, 0.07),
    "数码": (699, 0.05),
    "母婴": (119, 0.06),
    "鞋靴": (199, 0.18),
    "珠宝": (1299, 0.12),
    "运动户外": (239, 0.10),
    "生鲜": (69, 0.05),
    "百货": (29, 0.06),
}
TYPE_CATEGORIES = {
    "mcn": list(CATEGORIES),
    "brand": ["美妆", "服饰", "母婴", "数码", "珠宝"],
    "general": list(CATEGORIES),
}
TYPE_SUFFIX = {
    "mcn": "文化传媒有限公司",
    "industrial_belt": "电子商务有限公司",
    "brand": "品牌管理有限公司",
    "general": "网络科技有限公司",
}
TYPES = ["mcn", "industrial_belt", "brand", "general"]
BRAND_WORDS = (
    "星河 云帆 锦程 蓝鲸 青禾 拾光 知行 远山 沐光 嘉禾 鼎盛 乐享 "
    "优选 麦田 橙果 海豚 白鹭 银河 晨曦 启航 繁星 山海 竹林 朗月"
).split()
SHOP_WORDS = (
    "花间 山野 青柠 木棉 初禾 锦绣 星辰 暖阳 一禾 鹿角 南风 北岸 云朵 麦穗 栗子 拾月 橘猫 半夏 良品 素锦".split()
)
SHOP_PATTERNS = ["{w}{c}旗舰店", "{w}{c}官方直播间", "{w}优选{c}", "{w}家的{c}小店"]
SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗".split()
GIVEN = "伟 芳 娜 敏 静 丽 强 磊 洋 艳 勇 军 杰 娟 涛 明 超 秀英 霞 平 刚 晨 宇 欣 婷 浩 子涵 雨桐 思远 一鸣".split()
VIOLATIONS = {
    "minor": (2, ["直播间违规引流", "商品描述不规范", "售后响应超时"]),
    "major": (6, ["虚假宣传", "诱导站外交易"]),
    "serious": (12, ["刷单炒信，伪造交易数据"]),
}
COMPLAINTS = ["发货延迟", "直播效果未达约定", "沟通不及时", "退款处理慢", "擅自更改排期"]


@dataclass
class DemoConfig:
    seed: int = 2026
    providers: int = 40
    days: int = 120
    today: dt.date = field(default_factory=lambda: dt.datetime.now(SHANGHAI).date())

    def __post_init__(self):
        if self.providers < 4:
            raise ValueError("the demo needs at least 4 providers (one of each type)")
        if self.days < 45:
            raise ValueError("the demo needs at least 45 days (a 30-day baseline before engagements)")


@dataclass
class Demo:
    """What the steps share: the config, the rows made so far and the plans behind them."""

    config: DemoConfig
    providers: list[Provider] = field(default_factory=list)
    operators: list[Operator] = field(default_factory=list)
    employments: list[Employment] = field(default_factory=list)
    merchants: list[Merchant] = field(default_factory=list)
    engagements: list[Engagement] = field(default_factory=list)
    # provider id → quality (how much its operation lifts GMV) and whether it is deliberately inactive
    quality: dict[int, float] = field(default_factory=dict)
    sparse: set[int] = field(default_factory=set)
    # merchant id → (per-session median GMV in yuan, chance of streaming on a given day)
    merchant_plan: dict[int, tuple[float, float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    pipeline_token: str = ""
    _employment_index: dict[int, list[Employment]] = field(default_factory=dict, repr=False)
    _indexed: int = field(default=-1, repr=False)

    def rng(self, step: str) -> random.Random:
        return random.Random(f"saima-demo:{self.config.seed}:{step}")

    @property
    def today(self) -> dt.date:
        return self.config.today

    @property
    def window_start(self) -> dt.date:
        return self.config.today - dt.timedelta(days=self.config.days)

    def employed(self, provider_id: int, day: dt.date) -> list[Employment]:
        """Employments of the provider covering the day (at most one per operator by construction)."""
        if self._indexed != len(self.employments):  # (re)index after a step added employments
            self._employment_index = {}
            for e in self.employments:
                self._employment_index.setdefault(e.provider_id, []).append(e)
            self._indexed = len(self.employments)
        return [
            e
            for e in self._employment_index.get(provider_id, [])
            if e.start_date <= day and (e.end_date is None or day <= e.end_date)
        ]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware instant at a Shanghai wall-clock time."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def copy_rows(model, rows: list[dict]) -> None:
    """Insert many rows with COPY (the big tables): columns are the dicts' keys, database values."""
    if not rows:
        return
    columns = list(rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v, dt.datetime) else v for v in row.values()])
    buffer.seek(0)
    # An unquoted empty field is NULL in COPY's CSV format; no column here holds an empty string.
    sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    with connection.cursor() as cursor:
        cursor.copy_expert(sql, buffer)


def organization_code(rng: random.Random) -> str:
    """A 9-character organization code (GB 11714) with its own check character."""
    chars = [rng.choice("0123456789") if i < 2 else rng.choice(CREDIT_CODE_CHARSET[:20]) for i in range(8)]
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(chars, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    check = 11 - total % 11
    return "".join(chars) + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, division: str) -> str:
    """统一社会信用代码 of an enterprise (9 = market regulator, 1 = company) registered in the division."""
    body = "91" + division + organization_code(rng)
    return body + credit_code_check_char(body)


# --- steps -------------------------------------------------------------------------------------


def make_providers(demo: Demo) -> None:
    """Providers of all four types across provinces; the last tenth deliberately run few sessions."""
    rng = demo.rng("providers")
    n = demo.config.providers
    names, codes, rows = set(), set(), []
    for i in range(n):
        ptype = TYPES[i % 4]
        if ptype == "industrial_belt":
            province, city, division, _ = BELTS[(i // 4) % len(BELTS)]
        else:
            province, city, division = rng.choice(CITIES)
        name = f"{city}{rng.choice(BRAND_WORDS)}{TYPE_SUFFIX[ptype]}"
        if name in names:
            name = f"{city}{rng.choice(BRAND_WORDS)}{rng.choice(BRAND_WORDS)}{TYPE_SUFFIX[ptype]}"
        if name in names:  # only in very large demos: the number makes it unique
            name = f"{city}{rng.choice(BRAND_WORDS)}{i + 1}{TYPE_SUFFIX[ptype]}"
        names.add(name)
        code = credit_code(rng, division)
        while code in codes:
            code = credit_code(rng, division)
        codes.add(code)
        admitted = demo.window_start - dt.timedelta(days=rng.randint(60, 900))
        rows.append(
            Provider(
                name=name,
                credit_code=code,
                type=ptype,
                province=province,
                city=city,
                deposit=Decimal(rng.choice([50_000, 50_000, 80_000, 100_000, 200_000])),
                admitted_at=at(admitted, 10),
            )
        )
    demo.providers = Provider.objects.bulk_create(rows)
    for p in demo.providers:
        demo.quality[p.id] = rng.lognormvariate(math.log(1.7), 0.3)
    demo.sparse = {p.id for p in demo.providers[n - max(1, n // 10) :]}
    demo.counts["providers"] = len(rows)


def make_operators(demo: Demo) -> None:
    """Operators and employments: most long-tenured, some changed employer inside the window, a few left."""
    rng = demo.rng("operators")
    ws, days = demo.window_start, demo.config.days
    active = [p for p in demo.providers if p.id not in demo.sparse]
    operators: list[Operator] = []
    spans: list[tuple[int, int, dt.date, dt.date | None]] = []  # (operator index, provider id, start, end)

    def new_operator() -> int:
        n = len(operators)
        phone = f"1{rng.choice('3589')}{rng.randint(0, 10**9 - 1):09d}"
        operators.append(
            Operator(platform_user_id=f"op{100001 + n}", name=rng.choice(SURNAMES) + rng.choice(GIVEN), phone=phone)
        )
        return n

    for pi, provider in enumerate(demo.providers):
        k = rng.randint(1, 2) if provider.id in demo.sparse else rng.randint(3, 7)
        for j in range(k):
            op = new_operator()
            if j < 2 or rng.random() < 0.7:
                spans.append((op, provider.id, ws - dt.timedelta(days=rng.randint(30, 700)), None))
                continue
            # Joined inside the window after leaving another provider (sessions there until the day it left).
            start = ws + dt.timedelta(days=rng.randint(5, days - 10))
            previous = rng.choice([p for p in active if p.id != provider.id])
            left = start - dt.timedelta(days=rng.randint(1, 20))
            spans.append((op, previous.id, ws - dt.timedelta(days=rng.randint(60, 600)), left))
            spans.append((op, provider.id, start, None))
        if pi % 5 == 4 and provider.id not in demo.sparse:
            # An operator who left this provider inside the window and is not employed anywhere now.
            op = new_operator()
            left = ws + dt.timedelta(days=rng.randint(10, days - 10))
            spans.append((op, provider.id, ws - dt.timedelta(days=rng.randint(100, 500)), left))

    demo.operators = Operator.objects.bulk_create(operators)
    rows = [
        Employment(operator=demo.operators[op], provider_id=pid, start_date=start, end_date=end)
        for op, pid, start, end in spans
    ]
    demo.employments = Employment.objects.bulk_create(rows)
    demo.counts["operators"] = len(operators)
    demo.counts["employments"] = len(rows)


def make_merchants(demo: Demo) -> None:
    """Merchants with categories, and engagements that start after a 30-day baseline; some end, some switch."""
    rng = demo.rng("merchants")
    ws, today, days = demo.window_start, demo.today, demo.config.days
    active = [p for p in demo.providers if p.id not in demo.sparse]
    merchants: list[Merchant] = []
    plans: list[tuple[float, float]] = []
    pairs: list[tuple[int, int, dt.date, dt.date | None]] = []  # (merchant index, provider id, start, end)

    def new_merchant(provider: Provider | None) -> int:
        n = len(merchants)
        if provider is None:
            category = rng.choice(list(CATEGORIES))
        elif provider.type == "industrial_belt":
            category = rng.choice(next(b[3] for b in BELTS if b[1] == provider.city))
        else:
            category = rng.choice(TYPE_CATEGORIES[provider.type])
        name = rng.choice(SHOP_PATTERNS).format(w=rng.choice(SHOP_WORDS), c=category)
        merchants.append(Merchant(platform_account_id=f"shop{200001 + n}", name=name, category=category))
        # Per-session median GMV spans small shops (a few thousand yuan) to large ones (hundreds of thousands).
        plans.append((rng.lognormvariate(math.log(20_000), 1.1), rng.uniform(0.35, 0.9)))
        return n

    latest_start = max(30, days - 21)
    for provider in demo.providers:
        if provider.id in demo.sparse:
            pairs.append((new_merchant(provider), provider.id, today - dt.timedelta(days=8), None))
            continue
        for _ in range(rng.randint(4, 10)):
            m = new_merchant(provider)
            start = ws + dt.timedelta(days=rng.randint(30, latest_start))
            end = None
            if rng.random() < 0.25 and (today - start).days >= 24:
                end = start + dt.timedelta(days=rng.randint(14, (today - start).days - 10))
            pairs.append((m, provider.id, start, end))
            if end is not None and rng.random() < 0.5:
                # The merchant moves to another provider after a gap of unoperated sessions.
                restart = end + dt.timedelta(days=rng.randint(7, 14))
                if restart <= today - dt.timedelta(days=5):
                    other = rng.choice([p for p in active if p.id != provider.id])
                    pairs.append((m, other.id, restart, None))
    for _ in range(max(1, demo.config.providers // 4)):
        new_merchant(None)  # merchants no provider serves (yet)

    demo.merchants = Merchant.objects.bulk_create(merchants)
    for merchant, plan in zip(demo.merchants, plans, strict=True):
        demo.merchant_plan[merchant.id] = plan
    rows = []
    for m, pid, start, end in pairs:
        candidates = demo.employed(pid, start)
        lead = rng.choice(candidates).operator if candidates else None
        rows.append(
            Engagement(provider_id=pid, merchant=demo.merchants[m], start_date=start, end_date=end, lead_operator=lead)
        )
    demo.engagements = Engagement.objects.bulk_create(rows)
    demo.counts["merchants"] = len(merchants)
    demo.counts["engagements"] = len(rows)


def make_live_sessions(demo: Demo) -> None:
    """Daily sessions per merchant: unoperated before its engagements, operated (and lifted) during them."""
    rng = demo.rng("live_sessions")
    ws, today = demo.window_start, demo.today
    days = [ws + dt.timedelta(days=i) for i in range((today - ws).days)]
    by_merchant: dict[int, list[Engagement]] = {}
    for e in demo.engagements:
        by_merchant.setdefault(e.merchant_id, []).append(e)
    batch = IngestBatch.objects.create(source="demo", filename="seed_demo")
    rows: list[dict] = []

    for merchant in demo.merchants:
        median, frequency = demo.merchant_plan[merchant.id]
        order_value, refund_rate = CATEGORIES[merchant.category]
        engagements = by_merchant.get(merchant.id, [])
        # A session on the eve of every engagement guarantees the merchant a baseline.
        eves = {e.start_date - dt.timedelta(days=1) for e in engagements}
        for day in days:
            if day not in eves and rng.random() >= frequency:
                continue
            engagement = next(
                (e for e in engagements if e.start_date <= day and (e.end_date is None or day <= e.end_date)), None
            )
            operator = None
            lift = 1.0
            if engagement is not None and rng.random() < 0.92:  # merchants sometimes stream on their own
                employed = [e.operator for e in demo.employed(engagement.provider_id, day)]
                if employed:
                    lead = engagement.lead_operator
                    operator = lead if lead in employed and rng.random() < 0.6 else rng.choice(employed)
                    ramp = min(1.0, 0.6 + 0.4 * (day - engagement.start_date).days / 21)
                    lift = 1 + (demo.quality[engagement.provider_id] - 1) * ramp
            operated = operator is not None
            weekend = 1.15 if day.weekday() >= 5 else 1.0
            gmv = max(100, round(median * 100 * weekend * lift * rng.lognormvariate(0, 0.45)))
            orders = max(1, round(gmv / 100 / (order_value * rng.lognormvariate(0, 0.25))))
            conversion = rng.uniform(0.006, 0.03) * (1.15 if operated else 1.0)
            viewers = max(orders, round(orders / conversion))
            refund = min(gmv - 1, round(gmv * min(0.8, refund_rate * rng.uniform(0.4, 1.6))))
            spend = paid_gmv = 0
            if rng.random() < (0.8 if operated else 0.5):
                spend = round(gmv * rng.uniform(0.03, 0.25))
                paid_gmv = min(gmv, round(spend * rng.lognormvariate(math.log(2.0), 0.55)))  # ~1 in 10 loses money
            listed = rng.randint(20, 120) if operated else rng.randint(8, 80)
            hour = rng.choice([19, 19, 20, 20, 21]) if operated else rng.randint(10, 21)
            rows.append(
                {
                    "external_id": f"demo-{merchant.platform_account_id}-{day:%Y%m%d}",
                    "merchant_id": merchant.id,
                    "operator_id": operator.id if operated else None,
                    "provider_id": engagement.provider_id if operated else None,
                    "batch_id": batch.id,
                    "started_at": at(day, hour, rng.choice([0, 0, 15, 30, 45])),
                    "duration_minutes": rng.randrange(150, 301, 10) if operated else rng.randrange(60, 241, 10),
                    "gmv": money(gmv),
                    "orders": orders,
                    "viewers": viewers,
                    "new_followers": round(viewers * rng.uniform(0.001, 0.012) * (1.3 if operated else 1.0)),
                    "refund_amount": money(refund),
                    "paid_spend": money(spend),
                    "paid_gmv": money(paid_gmv),
                    "skus_listed": listed,
                    "skus_sold": round(listed * rng.uniform(0.15, 0.85)),
                }
            )
    copy_rows(LiveSession, rows)
    IngestBatch.objects.filter(pk=batch.pk).update(received=len(rows), created=len(rows))
    demo.counts["live_sessions"] = len(rows)
    demo.counts["operated_sessions"] = sum(1 for r in rows if r["operator_id"] is not None)


def make_violations(demo: Demo) -> None:
    """A few violations: one overturned (first provider), one confirmed serious (third provider), some minor/major."""
    rng = demo.rng("violations")
    ws, days = demo.window_start, demo.config.days
    rows = []

    def violation(provider: Provider, severity: str, day: dt.date, status: str = "confirmed") -> Violation:
        points, texts = VIOLATIONS[severity]
        employed = demo.employed(provider.id, day)
        operator = rng.choice(employed).operator if employed and rng.random() < 0.7 else None
        return Violation(
            provider=provider,
            operator=operator,
            severity=severity,
            points=points,
            occurred_at=at(day, rng.randint(9, 22), rng.choice([0, 30])),
            status=status,
            description=rng.choice(texts),
        )

    for provider in demo.providers[3:]:
        if provider.id in demo.sparse or rng.random() >= 0.3:
            continue
        for _ in range(rng.randint(1, 2)):
            day = ws + dt.timedelta(days=rng.randint(0, days - 1))
            rows.append(violation(provider, "minor" if rng.random() < 0.7 else "major", day))
    # Fixed ones, so every demo shows them: an overturned one, a minor one, and a serious one (清退 material).
    rows.append(violation(demo.providers[0], "major", demo.today - dt.timedelta(days=30), status="overturned"))
    rows.append(violation(demo.providers[1], "minor", demo.today - dt.timedelta(days=40)))
    rows.append(violation(demo.providers[2], "serious", demo.today - dt.timedelta(days=20)))
    Violation.objects.bulk_create(rows)
    demo.counts["violations"] = len(rows)


def make_complaints(demo: Demo) -> None:
    """Merchants' complaints about their providers during engagements; about half upheld."""
    rng = demo.rng("complaints")
    rows = []
    by_provider: dict[int, list[Engagement]] = {}
    for e in demo.engagements:
        by_provider.setdefault(e.provider_id, []).append(e)
    for provider in demo.providers:
        if provider.id in demo.sparse:
            continue
        for _ in range(rng.randint(0, 3)):
            e = rng.choice(by_provider[provider.id])
            last = min(e.end_date or demo.today, demo.today - dt.timedelta(days=1))
            day = e.start_date + dt.timedelta(days=rng.randint(0, max(0, (last - e.start_date).days)))
            rows.append(
                Complaint(
                    provider=provider,
                    merchant_id=e.merchant_id,
                    received_at=at(day, rng.randint(9, 21), rng.randint(0, 59)),
                    upheld=rng.random() < 0.5,
                    description=rng.choice(COMPLAINTS),
                )
            )
    Complaint.objects.bulk_create(rows)
    demo.counts["complaints"] = len(rows)


def make_logins(demo: Demo) -> None:
    """Staff logins (one per role), two provider users and the data pipeline's service account with a token."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: every demo login shares it
    groups = {g.name: g for g in Group.objects.all()}
    users = User.objects.bulk_create(
        [
            User(username=name, password=password, is_staff=True, is_superuser=su)
            for name, (_, su, _) in STAFF_LOGINS.items()
        ]
        + [User(username=name, password=password) for name in [*PROVIDER_LOGINS, PIPELINE_LOGIN]]
    )
    by_name = {u.username: u for u in users}
    memberships = [(name, g) for name, (gs, _, _) in STAFF_LOGINS.items() for g in gs]
    memberships.append((PIPELINE_LOGIN, roles.DATA_PIPELINE))
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=by_name[name].id, group_id=groups[g].id) for name, g in memberships]
    )
    ProviderUser.objects.bulk_create(
        [ProviderUser(user=by_name[name], provider=p) for name, p in zip(PROVIDER_LOGINS, demo.providers, strict=False)]
    )
    pipeline = by_name[PIPELINE_LOGIN]
    _, demo.pipeline_token = api_token_create(user=pipeline, name="demo pipeline", key=demo_pipeline_key())
    demo.counts["logins"] = len(users)


def logins_text() -> str:
    """The demo logins as they stand in the database (for `seed_demo --logins` and `make run`)."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=[*STAFF_LOGINS, *PROVIDER_LOGINS, PIPELINE_LOGIN])}
    if not users:
        return "No demo logins in this database (run `manage.py seed_demo` on an empty database to create them).\n"
    lines = [f"Demo logins (password for each: {DEMO_PASSWORD}):"]
    for name, (_, _, what) in STAFF_LOGINS.items():
        if name in users:
            lines.append(f"  {name:<10} {what}")
    accounts = {
        pu.user.username: pu.provider
        for pu in ProviderUser.objects.filter(user__username__in=PROVIDER_LOGINS).select_related("user", "provider")
    }
    for name in PROVIDER_LOGINS:
        if name in accounts:
            p = accounts[name]
            lines.append(f"  {name:<10} provider user of #{p.pk} {p.name} ({p.get_type_display()})")
    key = demo_pipeline_key()
    token = api_token_for_key(key)
    if token is not None and token.user.username == PIPELINE_LOGIN:
        lines.append(f"Data pipeline (user {PIPELINE_LOGIN}, group {roles.DATA_PIPELINE}): Authorization: Token {key}")
    return "\n".join(lines) + "\n"
