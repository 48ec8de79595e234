"""Async views using the models of another module."""
from asgiref.sync import sync_to_async

from .models import Article, Tag


async def show(pk: int) -> object:
    article = Article.objects.get(pk=pk)  # error: AIO107
    await Article.objects.aget(pk=pk)
    article.save()  # a query's result: its model class is not followed
    draft = Article(title="draft")
    draft.save()  # error: AIO107
    await draft.asave()
    draft.publish_sync()  # error: AIO109
    await sync_to_async(draft.publish_sync)()
    for row in Article.objects.filter(title="x"):  # error: AIO107
        print(row)
    async for row in Article.objects.filter(title="y"):
        print(row)
    Tag.objects.append("x")
    return article
