from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from claims.accounts import AdminLoginForm, LoginForm

# The admin's login says so when logins are throttled, as the desk's does.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    # The public site: home, articles, fact-checks, feeds (claims/public/).
    path("", include("claims.public.urls")),
    path("desk/", include("claims.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switcher posts to set_language (name "set_language").
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler403 = "claims.views.errors.permission_denied"
handler404 = "claims.views.errors.page_not_found"
handler500 = "claims.views.errors.server_error"
handler400 = "claims.views.errors.bad_request"
