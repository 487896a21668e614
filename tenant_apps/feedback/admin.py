from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from houqin.admin import ScopedModelAdmin, site
from shared_apps.accounts.actors import signed_in
from tenant_apps.feedback.models import Feedback
from tenant_apps.feedback.services import feedback_submit


@admin.register(Feedback, site=site)
class FeedbackAdmin(ScopedModelAdmin):
    list_display = ["subject", "category", "status", "author", "due_at"]
    list_filter = ["status", "category"]
    search_fields = ["subject"]
    # Answers go through the API's respond action (one service, one rule); here feedback is
    # written by its author and read by managers.
    written_by_author = ["category", "subject", "body"]
    readonly_fields = [
        "status",
        "response",
        "author",
        "responded_by",
        "responded_at",
        "due_at",
        "created_at",
    ]
    fields = [*written_by_author, *readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return self.fields
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Feedback, form: Any, change: bool) -> None:
        if not change:
            created = feedback_submit(
                actor=signed_in(request), category=obj.category, subject=obj.subject, body=obj.body
            )
            obj.pk = created.pk
            obj.refresh_from_db()
