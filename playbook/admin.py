"""Django admin of the playbook app: staff edit a playbook version until a plan pins it; plans, ticks and reviews
are read-only here (they are the provider's, written through the services)."""

from django.apps import apps
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from pghistory.models import Event

from core.admin import ReadOnlyEventAdmin, ReadOnlyModelAdmin, StaffModelAdmin
from core.errors import refusal_message

from . import services
from .models import ItemTick, OperationPlan, OperatorRecordConsent, Playbook, PlaybookItem, PlaybookStage, Review


class PinnedReadOnly:
    """A version a plan pinned is immutable (a new version changes anything)."""

    def _pinned(self, obj) -> bool:
        playbook = obj if isinstance(obj, Playbook) else getattr(obj, "playbook", None)
        if isinstance(obj, PlaybookStage):
            playbook = obj.playbook
        if isinstance(obj, PlaybookItem):
            playbook = obj.stage.playbook
        return playbook is not None and playbook.pk is not None and services.playbook_is_pinned(playbook)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and self._pinned(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and self._pinned(obj))


class PinnedInline(PinnedReadOnly, admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj is not None and self._pinned(obj))


class StageInline(PinnedInline):
    model = PlaybookStage
    extra = 0
    show_change_link = True


class ItemInline(PinnedInline):
    model = PlaybookItem
    extra = 0


@admin.register(Playbook)
class PlaybookAdmin(PinnedReadOnly, StaffModelAdmin):
    list_display = ["version", "name", "created_at"]
    inlines = [StageInline]
    actions = ["copy_as_new_version"]

    @admin.action(description=_("Copy as a new version"))
    def copy_as_new_version(self, request, queryset):
        for playbook in queryset:
            stages = [
                {
                    "key": s.key,
                    "items": [
                        {
                            "key": i.key,
                            "title": i.title,
                            "title_zh": i.title_zh,
                            "required": i.required,
                            "needs": i.needs,
                            "diagnosis_figure": i.diagnosis_figure,
                        }
                        for i in s.items.order_by("position")
                    ],
                }
                for s in playbook.stages.order_by("position")
            ]
            try:
                new = services.playbook_create(
                    actor=request.user, name=playbook.name, notes=playbook.notes, stages=stages
                )
            except Exception as exc:  # a Refusal: shown, nothing written
                self.message_user(request, refusal_message(exc), messages.ERROR)
            else:
                self.message_user(request, _("Version %(v)s created.") % {"v": new.version})


@admin.register(PlaybookStage)
class PlaybookStageAdmin(PinnedReadOnly, StaffModelAdmin):
    list_display = ["playbook", "position", "key"]
    list_filter = ["playbook"]
    inlines = [ItemInline]


@admin.register(OperationPlan)
class OperationPlanAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "title", "provider", "planned_date", "lead_operator", "status", "stream_external_id"]
    list_filter = ["status"]
    search_fields = ["=id", "title", "=stream_external_id"]
    raw_id_fields = ["engagement", "provider", "lead_operator", "playbook", "created_by"]
    list_select_related = ["provider", "lead_operator"]


@admin.register(ItemTick)
class ItemTickAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "plan", "item", "ticked_by", "ticked_at"]
    raw_id_fields = ["plan", "item", "ticked_by", "file"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "plan", "session", "uplift", "made_at", "refreshed_at", "refresh_count"]
    raw_id_fields = ["plan", "session"]


@admin.register(OperatorRecordConsent)
class OperatorRecordConsentAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "operator", "provider", "consented_at"]
    raw_id_fields = ["operator", "provider", "consented_by"]


for _model in apps.get_app_config("playbook").get_models():
    if issubclass(_model, Event) and not admin.site.is_registered(_model):
        admin.site.register(_model, ReadOnlyEventAdmin)
