# mistake: chown -R of the app folder to the user that runs it, as many guides do
# source: https://budibadu.com/samplebadu/dockerfile/user-permission-configuration
# source: https://docs.kics.io/1.7.4/queries/dockerfile-queries/fd54f200-402c-4333-a5a4-36ef6709af2f
# lesson: lesson14
# expect: app-cannot-write
FROM python:3.13-slim AS build
WORKDIR /usr/src/app
RUN apt-get update && apt-get install -y gcc
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# the final stage: the virtualenv and the app, no compiler, run by a user that is not root
FROM python:3.13-slim
RUN useradd --system --no-create-home --shell /usr/sbin/nologin together
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /usr/src/app
COPY . .
RUN chown -R together:together /usr/src/app
USER together
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
