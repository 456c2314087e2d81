"""Template context for every desk page."""

from django.utils.functional import SimpleLazyObject


def notifications(request):
    """The bell's unread count, queried only if a page shows the bell."""

    def count():
        from .inbox import unread_count

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return unread_count(user)

    return {"unread_notifications": SimpleLazyObject(count)}
