"""Serializers of the playbook API: playbook versions, plans with their checklist, ticks, reviews, record opt-ins."""

from rest_framework import serializers

from ..models import ItemTick, OperationPlan, OperatorRecordConsent, Playbook, PlaybookItem, PlaybookStage, Review


class PlaybookItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlaybookItem
        fields = ["id", "key", "position", "title", "title_zh", "required", "needs", "diagnosis_figure"]
        read_only_fields = ["id", "position"]


class PlaybookStageSerializer(serializers.ModelSerializer):
    items = PlaybookItemSerializer(many=True)

    class Meta:
        model = PlaybookStage
        fields = ["id", "key", "position", "items"]
        read_only_fields = ["id", "position"]


class PlaybookSerializer(serializers.ModelSerializer):
    stages = PlaybookStageSerializer(many=True)
    pinned = serializers.SerializerMethodField()

    class Meta:
        model = Playbook
        fields = ["id", "version", "name", "notes", "created_at", "pinned", "stages"]
        read_only_fields = ["id", "version", "created_at", "pinned"]

    def get_pinned(self, obj) -> bool:
        return bool(getattr(obj, "pinned", False))


class PlaybookUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class ItemTickSerializer(serializers.ModelSerializer):
    item_key = serializers.CharField(source="item.key", read_only=True)
    ticked_by = serializers.CharField(source="ticked_by.username", read_only=True)
    file = serializers.SerializerMethodField()

    class Meta:
        model = ItemTick
        fields = ["id", "item", "item_key", "ticked_by", "ticked_at", "text", "number", "file", "stream_external_id"]
        read_only_fields = fields

    def get_file(self, obj) -> dict | None:
        if obj.file is None:
            return None
        f = obj.file
        return {"id": f.pk, "original_name": f.original_name, "content_type": f.content_type, "size": f.size}


class OperationPlanSerializer(serializers.ModelSerializer):
    merchant = serializers.IntegerField(source="engagement.merchant_id", read_only=True)
    merchant_name = serializers.CharField(source="engagement.merchant.name", read_only=True)
    lead_operator_name = serializers.CharField(source="lead_operator.name", read_only=True)
    playbook_version = serializers.IntegerField(source="playbook.version", read_only=True)
    ticked = serializers.IntegerField(read_only=True)
    open_required = serializers.IntegerField(read_only=True, help_text="Required items open before the live stage.")
    review = serializers.SerializerMethodField()

    class Meta:
        model = OperationPlan
        fields = [
            "id",
            "title",
            "engagement",
            "provider",
            "merchant",
            "merchant_name",
            "planned_date",
            "lead_operator",
            "lead_operator_name",
            "playbook",
            "playbook_version",
            "target_gmv",
            "target_entries",
            "target_new_followers",
            "target_paid_roi",
            "status",
            "stream_external_id",
            "ticked",
            "open_required",
            "review",
            "created_at",
            "ready_at",
            "linked_at",
        ]
        read_only_fields = fields

    def get_review(self, obj) -> int | None:
        review = getattr(obj, "review", None) if hasattr(obj, "review") else None
        return review.pk if review else None


class OperationPlanDetailSerializer(OperationPlanSerializer):
    ticks = ItemTickSerializer(many=True, read_only=True)

    class Meta(OperationPlanSerializer.Meta):
        fields = [*OperationPlanSerializer.Meta.fields, "diagnosis", "ticks"]
        read_only_fields = fields


class OperationPlanCreateSerializer(serializers.Serializer):
    engagement = serializers.IntegerField(help_text="Id of one of your provider's engagements.")
    lead_operator = serializers.IntegerField(help_text="Id of an operator your provider employs on the date.")
    planned_date = serializers.DateField()
    title = serializers.CharField(required=False, allow_blank=True, default="")
    playbook = serializers.IntegerField(required=False, help_text="Playbook id; default the latest version.")
    target_gmv = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    target_entries = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    target_new_followers = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    target_paid_roi = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True)


class TickSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="Id of an item of the plan's playbook version.")
    text = serializers.CharField(required=False, allow_blank=True, default="")
    number = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_empty_file=True, help_text="PDF/JPEG/PNG, ≤ 10 MB.")
    stream = serializers.CharField(required=False, allow_blank=True, default="", help_text="The stream's external_id.")


class ItemRefSerializer(serializers.Serializer):
    item = serializers.IntegerField()


class StreamSerializer(serializers.Serializer):
    external_id = serializers.CharField()


class ReviewSerializer(serializers.ModelSerializer):
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    stream_external_id = serializers.CharField(source="session.external_id", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "plan",
            "plan_title",
            "stream_external_id",
            "figures",
            "baseline",
            "uplift",
            "curves",
            "exit_spikes",
            "skipped_items",
            "notes",
            "made_at",
            "refreshed_at",
            "refresh_count",
        ]
        read_only_fields = fields


class NotesSerializer(serializers.Serializer):
    notes = serializers.CharField(allow_blank=True)


class OperatorRecordConsentSerializer(serializers.ModelSerializer):
    operator_name = serializers.CharField(source="operator.name", read_only=True)

    class Meta:
        model = OperatorRecordConsent
        fields = ["id", "provider", "operator", "operator_name", "consented_at"]
        read_only_fields = ["id", "provider", "operator_name", "consented_at"]
        extra_kwargs = {"operator": {"read_only": True}}


class ConsentCreateSerializer(serializers.Serializer):
    operator = serializers.IntegerField(help_text="Id of an operator your provider employs today.")
