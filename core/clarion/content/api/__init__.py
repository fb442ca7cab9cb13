"""The content domain's JSON API: one package per resource, each a controller and its schemas."""
