"""JSON bodies, bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (DRF reads the stream
itself) and by nesting depth: a body of 100,000 `[` made json.loads raise
RecursionError (a 500), and a merely deep one would recurse again wherever
the value is validated, stored or rendered."""
import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from executions.api.errors import PayloadTooLarge

MAX_DEPTH = 32


def _too_deep(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit else stream.read()
        if limit and len(raw) > limit:
            raise PayloadTooLarge(f"The request body exceeds {limit} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        too_deep = ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        try:
            data = json.loads(raw.decode(encoding))
        except RecursionError:
            raise too_deep from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"Malformed JSON: {exc}") from exc
        if _too_deep(data, MAX_DEPTH):
            raise too_deep
        return data
