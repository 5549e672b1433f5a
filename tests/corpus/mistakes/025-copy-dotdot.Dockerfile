# mistake: ADD .. /app, adapted as COPY .. : the parent folder is not in the build context
# source: https://github.com/khoj-ai/khoj/issues/26
# lesson: lesson3
# expect: copy-source-exists
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY .. .
