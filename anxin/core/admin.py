"""The admin's view of core's records an operator reads: the file exchange's history (read-only)."""

from django.contrib import admin

from anxin.core.models import ExchangeBundle


@admin.register(ExchangeBundle)
class ExchangeBundleAdmin(admin.ModelAdmin):
    """Each bundle exported or imported here, as the command recorded it: nothing to add or edit."""

    list_display = ["done_at", "kind", "direction", "sequence", "file_name", "source_host", "counts"]
    list_filter = ["direction", "kind"]
    ordering = ["-done_at", "-pk"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
