"""Django models, used from the views module."""
from django.db import models


class Stamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Article(Stamped):
    title = models.CharField(max_length=100)

    def publish_sync(self) -> None:
        self.save()


class Tag:
    """Not a model: a plain class with an ``objects`` attribute of its own."""

    objects: list[str] = []
