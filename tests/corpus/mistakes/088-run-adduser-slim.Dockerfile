# mistake: created the user with Debian's `adduser --disabled-password --gecos ''`, which the slim images no longer have
# source: https://github.com/cardano-community/guild-operators/issues/1888
# source: https://github.com/cardano-community/guild-operators/pull/1891
# lesson: lesson14
# expect: user-exists
FROM python:3.13-slim AS build
WORKDIR /usr/src/app
RUN apt-get update && apt-get install -y gcc
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM python:3.13-slim
RUN adduser --disabled-password --gecos '' together
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /usr/src/app
COPY . .
USER together
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
