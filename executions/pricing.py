"""What a model costs: the price table (ModelPrice), read in one place."""
from decimal import Decimal

from executions.models import ModelPrice

FREE = (Decimal(0), Decimal(0))


def model_price(*, spec: str) -> tuple[Decimal, Decimal]:
    """USD per million (input, output) tokens for a `provider:model` spec:
    its own row, else its provider's `provider:*` row, else free (an unpriced
    model is not refused; the admin's price table says what is priced)."""
    provider = spec.split(":", 1)[0]
    wildcard = f"{provider}:*"
    rows = {row.model: row for row in ModelPrice.objects.filter(model__in=[spec, wildcard])}
    row = rows.get(spec) or rows.get(wildcard)
    return (row.input_per_million, row.output_per_million) if row else FREE
