from django.urls import path

from anxin.notify import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_mark_all_read, name="inbox-read-all"),
    path("inbox/<int:pk>/", views.notification_open, name="notification-open"),
    path("sms/", views.sms_outbox, name="sms-outbox"),
    path("sms/<int:pk>/resend/", views.sms_resend, name="sms-resend"),
]
