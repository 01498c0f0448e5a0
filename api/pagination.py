"""How API lists are cut into pages: ?limit and ?offset as DRF reads them (a limit that is
not a positive whole number gives the default page), with a largest page, so that no
?limit=99999999999999999999 reaches the database (it overflowed SQLite and PostgreSQL)."""

from rest_framework.pagination import LimitOffsetPagination

MAX_ROW = 2**63 - 1  # the largest offset a database takes


class Pagination(LimitOffsetPagination):
    max_limit = 1000

    def get_offset(self, request):
        return min(super().get_offset(request), MAX_ROW)
