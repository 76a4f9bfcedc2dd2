from django.conf import settings
from rest_framework.pagination import CursorPagination


class CreatedCursorPagination(CursorPagination):
    """Newest first; stable under inserts (the cursor is a position, not an offset)."""

    ordering = "-created_at"
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        self.page_size = settings.STIGMER_API_PAGE_SIZE
        return super().get_page_size(request)


class SlugCursorPagination(CreatedCursorPagination):
    ordering = "slug"
