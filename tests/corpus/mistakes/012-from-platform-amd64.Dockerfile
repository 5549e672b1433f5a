# mistake: FROM --platform=linux/amd64 copied from a fix for an M1 warning: emulation on arm64 machines
# source: https://github.com/IABTechLab/fideslang/pull/121
# source: https://github.com/tiangolo/uvicorn-gunicorn-fastapi-docker/issues/119
# lesson: lesson1
# expect: base-image-platform
FROM --platform=linux/amd64 python:3.13-slim
