from django.db import models


class Order(models.Model):
    number = models.PositiveIntegerField(unique=True)
    item = models.CharField(max_length=100)
    refunded = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"order {self.number}"
