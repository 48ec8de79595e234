"""A small shop service split over modules: the project-wide fixture."""
from .client import Client, fetch

__all__ = ["Client", "fetch"]
