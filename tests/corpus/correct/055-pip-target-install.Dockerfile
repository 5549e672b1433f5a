# correct: the build stage installs with pip's --target into /install; the final stage copies the packages into site-packages and uWSGI onto PATH
# source: https://www.codartium.com/python-requirements-install-in-docker/
# lesson: lesson13
FROM python:3.13-slim AS build
WORKDIR /usr/src/app
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir --target=/install -r requirements.txt

FROM python:3.13-slim
COPY --from=build /install /usr/local/lib/python3.13/site-packages
ENV PATH=/usr/local/lib/python3.13/site-packages/bin:$PATH
WORKDIR /usr/src/app
COPY . .
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
