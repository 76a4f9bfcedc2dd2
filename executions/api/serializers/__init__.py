"""Explicit input and output serializers, one module per resource."""
