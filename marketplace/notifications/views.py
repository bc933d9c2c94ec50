"""The unsubscribe page, reached from an e-mail without signing in. GET asks; POST (the button, or a
mail client's RFC 8058 one-click POST, which carries no CSRF token) turns e-mail off for that kind."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from accounts.models import User
from marketplace.common.errors import ValidationFailed
from marketplace.notifications import kinds as registry
from marketplace.notifications import services


@csrf_exempt  # the token is the authorisation; one-click POSTs come from mail clients
def unsubscribe_view(request, token: str):
    try:
        user_id, kind = services.unsubscribe_read(token)
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise ValidationFailed("This unsubscribe link is not valid.")
    except ValidationFailed as exc:
        return render(request, "notifications/unsubscribe.html", {"error": exc.message}, status=400)
    context = {"email": user.email, "audience": registry.kind(kind).audience, "done": False}
    if request.method == "POST":
        services.unsubscribe(token=token)
        context["done"] = True
    response = render(request, "notifications/unsubscribe.html", context)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response
