"""The price table and users' budgets: plain model admins, so Django's model
permissions (view / add / change / delete) decide who reads and edits them."""
from django.contrib import admin

from executions.budgets import spent_this_month
from executions.models import ModelPrice, UserBudget


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    list_display = ["model", "input_per_million", "output_per_million", "updated_at"]
    list_editable = ["input_per_million", "output_per_million"]
    search_fields = ["model"]


@admin.register(UserBudget)
class UserBudgetAdmin(admin.ModelAdmin):
    list_display = ["user", "monthly_budget", "spent"]
    autocomplete_fields = ["user"]
    search_fields = ["user__username"]

    @admin.display(description="Spent this month (USD)")
    def spent(self, budget: UserBudget) -> str:
        return f"{spent_this_month(owner_id=budget.user_id):.4f}"
