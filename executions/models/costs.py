"""Model prices and users' monthly budgets (US dollars)."""
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


# Money is in US dollars: prices per million tokens, costs and budgets.
PRICE = {"max_digits": 12, "decimal_places": 4}
MONEY = {"max_digits": 14, "decimal_places": 6}


class ModelPrice(models.Model):
    """What a model costs. `model` is a `provider:model` spec, or `provider:*`
    for every model of a provider without a row of its own."""

    model = models.CharField(max_length=200, unique=True, help_text="e.g. openai:gpt-4o-mini, or ollama:*")
    input_per_million = models.DecimalField(**PRICE, validators=[MinValueValidator(0)], help_text="USD")
    output_per_million = models.DecimalField(**PRICE, validators=[MinValueValidator(0)], help_text="USD")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model"]

    def __str__(self) -> str:
        return self.model


class UserBudget(models.Model):
    """A user's monthly spending limit; users without one get
    STIGMER_USER_MONTHLY_BUDGET (unset: no limit)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget")
    monthly_budget = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="US dollars per calendar month (UTC); empty: no limit, whatever the default",
    )

    def __str__(self) -> str:
        return f"{self.user}: {self.monthly_budget if self.monthly_budget is not None else 'no limit'}"
