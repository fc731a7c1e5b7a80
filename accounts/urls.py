"""Sign-in, the second factor, sign-out, your account, password change and reset, and the LA's
service accounts with their API tokens."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from accounts import views

urlpatterns = [
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-in/set-up-authenticator-app/", views.set_up, name="two_factor_set_up"),
    path("sign-in/code/", views.code, name="two_factor_code"),
    path("sign-in/recovery-code/", views.recovery_code, name="two_factor_recovery_code"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("account/recovery-codes/", views.recovery_codes, name="two_factor_recovery_codes"),
    path("account/recovery-codes/new/", views.recovery_codes_new, name="two_factor_recovery_codes_new"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("service-accounts/", views.service_accounts, name="service_accounts"),
    path("service-accounts/new/", views.service_account_new, name="service_account_new"),
    path("service-accounts/<int:pk>/", views.service_account, name="service_account"),
    path("service-accounts/<int:pk>/tokens/new/", views.service_account_token_new, name="service_account_token_new"),
    path(
        "service-accounts/<int:pk>/tokens/revoke/",
        views.service_account_token_revoke,
        name="service_account_token_revoke",
    ),
    path("service-accounts/<int:pk>/scope/", views.service_account_scope, name="service_account_scope"),
    path(
        "service-accounts/<int:pk>/deactivate/",
        views.service_account_deactivate,
        name="service_account_deactivate",
    ),
    path(
        "password-reset/done/",
        TemplateView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
