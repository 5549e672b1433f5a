# mistake: the build stage switches to a user; the runtime stage, which has no USER, runs as root
# source: https://docs.kics.io/latest/queries/dockerfile-queries/fd54f200-402c-4333-a5a4-36ef6709af2f
# lesson: lesson14
# expect: runs-as-non-root
FROM python:3.13-slim AS build
WORKDIR /usr/src/app
RUN apt-get update && apt-get install -y gcc
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
RUN useradd --system app
USER app

# the final stage: the virtualenv and the app, no compiler, run by a user that is not root
FROM python:3.13-slim
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /usr/src/app
COPY . .
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
