# mistake: a third-party ready-made server image
# source: https://github.com/tiangolo/uvicorn-gunicorn-docker/pull/111
# lesson: lesson1
# expect: base-image-official
FROM tiangolo/uvicorn-gunicorn:python3.11-slim
