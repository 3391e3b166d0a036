from django.contrib.auth import views as auth_views

from .forms import MobileLoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = MobileLoginForm
    redirect_authenticated_user = True
