# correct: the build stage installs with pip's --user into /root/.local; the final stage copies it and puts its bin/ on PATH
# source: https://pythonspeed.com/articles/multi-stage-docker-python/
# source: https://git.ipv0.com.br/halbebruno/cloudflare-ddns/commits/commit/9a295bbf911ff86ac7099c274d0b98d2d4cc2701/Dockerfile
# lesson: lesson13
FROM python:3.13-slim AS build
WORKDIR /usr/src/app
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir --user -r requirements.txt

FROM python:3.13-slim
COPY --from=build /root/.local /root/.local
ENV PATH=/root/.local/bin:$PATH
WORKDIR /usr/src/app
COPY . .
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
