# mistake: extra ports from a uWSGI stats setup (EXPOSE 5000 9090 9191)
# source: https://github.com/docker-library/python/issues/184
# lesson: lesson6
# expect: expose-extra-ports
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000 9090 9191
