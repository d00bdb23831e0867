from django.urls import path

from anxin.money import views

urlpatterns = [
    # under /cases/: the instalment belongs to a case's legal action (the path it always had)
    path("cases/instalments/<int:pk>/paid/", views.instalment_paid, name="case-instalment-paid"),
]
