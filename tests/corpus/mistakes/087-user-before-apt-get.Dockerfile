# mistake: USER switched away from root before apt-get, which then cannot lock its lists
# source: https://github.com/abernix/spaceglue/issues/3
# source: https://github.com/elastic/logstash-docker/issues/20
# lesson: lesson14
# expect: build-steps-as-root
FROM python:3.13-slim AS build
WORKDIR /usr/src/app
RUN useradd --system app
USER app
RUN apt-get update && apt-get install -y gcc
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# the final stage: the virtualenv and the app, no compiler, run by a user that is not root
FROM python:3.13-slim
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /usr/src/app
COPY . .
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
