# mistake: USER names a user that was never created in the image (host users are not in it)
# source: https://github.com/moby/moby/issues/12514
# source: https://github.com/ai-forever/fbc2_aij2022/issues/1
# lesson: lesson14
# expect: user-exists
FROM python:3.13-slim AS build
WORKDIR /usr/src/app
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
USER appuser
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
