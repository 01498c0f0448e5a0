import time

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ThaiFirstLocaleMiddleware(LocaleMiddleware):
    """Thai unless the user chose another language with the switcher (its cookie).

    Office PCs often run an English browser; the browser's Accept-Language must not
    turn the application English for Thai staff."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SessionIdleMiddleware:
    """Ends a logged-in session after SESSION_COOKIE_AGE (KPIPLAN_SESSION_IDLE_MINUTES)
    without a request: activity pushes the expiry ahead. It saves the session at most
    once a minute rather than on every request (SESSION_SAVE_EVERY_REQUEST), so a page
    costs no extra write, and the idle limit holds to within that minute."""

    TOUCH_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and "_auth_user_id" in session:
            now = int(time.time())
            if now - session.get("_last_activity", 0) >= self.TOUCH_EVERY_SECONDS:
                session["_last_activity"] = now  # modified: saved with a fresh expiry
        return self.get_response(request)
