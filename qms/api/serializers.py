from rest_framework import serializers

from qms.models import Department, User


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role"]
        read_only_fields = fields


class DepartmentSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )
    head = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = Department
        fields = ["id", "name", "code", "parent", "head", "description", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    description = serializers.CharField()
    parameters = serializers.ListField(child=serializers.CharField())
    app_label = serializers.CharField()


class MetricValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    value = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()
    detail = serializers.DictField()
