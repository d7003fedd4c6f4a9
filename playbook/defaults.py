"""The default playbook, version 1 (DESIGN §12; 《跨越周期——操盘手工作手册》): stages and checklist items.

Plain data, read by the data migration that creates it (0002): (stage, [(key, title, title_zh, required,
needs, diagnosis figure)]). Figures are scoring.selectors.DIAGNOSIS_FIGURES."""

NAME = "跨越周期——操盘手工作手册"

STAGES = [
    (
        "diagnosis",
        [
            ("sessions_7d", "Sessions in the last 7 days", "近7天直播场次", True, "number", "sessions"),
            ("gmv_7d", "GMV in the last 7 days (yuan)", "近7天GMV（元）", True, "number", "gmv"),
            ("viewers_7d", "Viewers in the last 7 days (traffic)", "近7天观看人数（流量）", True, "number", "viewers"),
            ("conversion_7d", "Conversion (orders / viewers)", "转化率（订单/观看）", True, "number", "conversion"),
            ("paid_roi_7d", "Paid ROI", "投放ROI", False, "number", "paid_roi"),
            ("refund_rate_7d", "Refund rate", "退款率", True, "number", "refund_rate"),
            ("findings", "Main problems found against the category", "对比类目发现的主要问题", True, "text", ""),
        ],
    ),
    (
        "setup",
        [
            ("goal", "Goal of the session", "本场目标", True, "text", ""),
            ("budget", "Paid traffic budget (yuan)", "投放预算（元）", True, "number", ""),
            ("setup_sheet", "Signed set-up sheet", "立项单（签字版）", False, "file", ""),
        ],
    ),
    (
        "lineup",
        [
            ("lineup_sheet", "Product lineup sheet", "货盘表", True, "file", ""),
            ("hero_products", "Number of traffic and profit products", "引流款与利润款数量", True, "number", ""),
            ("stock_check", "Stock and price checked with the merchant", "与商家核对库存与价格", False, "text", ""),
        ],
    ),
    (
        "preheat",
        [
            ("short_videos", "Preheat short videos published", "预热短视频发布数", True, "number", ""),
            ("announcement", "Announcement posted (where and when)", "直播预告（渠道与时间）", True, "text", ""),
        ],
    ),
    (
        "script",
        [
            ("script", "Run-of-show script", "直播脚本", True, "file", ""),
            ("product_order", "Product order (排品)", "排品顺序", True, "text", ""),
        ],
    ),
    (
        "live",
        [
            ("stream", "Link the stream", "关联直播场次", True, "stream", ""),
            ("live_notes", "What was adjusted during the stream", "直播中的调整记录", False, "text", ""),
        ],
    ),
    (
        "review",
        [
            ("review_notes", "Operator's review notes", "操盘手复盘笔记", False, "text", ""),
            ("next_actions", "Actions for the next session", "下一场的改进动作", False, "text", ""),
        ],
    ),
]


def create_v1(apps, schema_editor):
    """Create playbook v1 if it is missing (idempotent: the tests put it back after a flush)."""
    Playbook = apps.get_model("playbook", "Playbook")
    Stage = apps.get_model("playbook", "PlaybookStage")
    Item = apps.get_model("playbook", "PlaybookItem")
    playbook, created = Playbook.objects.get_or_create(version=1, defaults={"name": NAME})
    if not created:
        return
    for position, (key, items) in enumerate(STAGES, start=1):
        stage = Stage.objects.create(playbook=playbook, key=key, position=position)
        Item.objects.bulk_create(
            Item(
                stage=stage,
                key=item_key,
                position=i,
                title=title,
                title_zh=title_zh,
                required=required,
                needs=needs,
                diagnosis_figure=figure,
            )
            for i, (item_key, title, title_zh, required, needs, figure) in enumerate(items, start=1)
        )
