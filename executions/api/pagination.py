from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class CreatedCursorPagination(CursorPagination):
    """Newest first; stable under inserts (the cursor is a position, not an offset)."""

    ordering = "-created_at"
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return settings.STIGMER_API_PAGE_SIZE
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            message = f"Expected an integer from 1 to {self.max_page_size}."
            raise ValidationError({self.page_size_query_param: [message]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters


class SlugCursorPagination(CreatedCursorPagination):
    ordering = "slug"


class NameCursorPagination(CreatedCursorPagination):
    ordering = "name"
