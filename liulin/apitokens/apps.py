from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    name = "liulin.apitokens"
    label = "apitokens"
    verbose_name = "接口令牌"
