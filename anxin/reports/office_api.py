"""The issued circulars over the API: ``GET /api/v1/circulars/`` lists the circulars (情况通报) issued to
the caller's unit (the office and the leaders: every issued circular), newest period first, each with
its 文号, day and the link to its Word document. Drafts and the analysis are never listed here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from anxin.core.api_schema import ContractViewMixin, Pagination, query_value
from anxin.reports.models import DocumentKind, DocumentStatus, OfficeDocument
from anxin.reports.office_selectors import document_list

VIEW = "reports.view_officedocument"


class CircularSerializer(serializers.ModelSerializer):
    word = serializers.SerializerMethodField(help_text="Word 文件下载地址（公文格式）")

    class Meta:
        model = OfficeDocument
        fields = ["id", "period", "title", "reference", "issued_on", "word"]

    def get_word(self, obj: OfficeDocument) -> str:
        return reverse("reports-office-word", args=[obj.pk])


class CircularsView(ContractViewMixin, GenericAPIView):
    """已印发的情况通报（§五(二)）：本单位收到的（联席办和区领导：全部），按报告期倒序；period 报告期（YYYY-MM）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CircularSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="circulars_list",
        parameters=[OpenApiParameter("period", OpenApiTypes.STR, description="报告期（YYYY-MM）")],
        responses=CircularSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if not request.user.has_perm(VIEW):
            raise PermissionDenied("角色无查看情况通报的权限")
        rows = document_list(
            user=request.user,
            kind=DocumentKind.CIRCULAR,
            status=DocumentStatus.ISSUED,
            period=query_value(request.query_params, "period"),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(CircularSerializer(page, many=True).data)
