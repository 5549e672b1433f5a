# mistake: a vendor's Python image instead of the official one
# source: https://github.com/bitnami/bitnami-docker-python/issues/15
# lesson: lesson1
# expect: base-image-official
FROM bitnami/python:3.13
