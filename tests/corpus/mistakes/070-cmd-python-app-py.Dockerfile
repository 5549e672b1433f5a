# mistake: CMD ["python", "app.py"] from a tutorial whose app.py is at the top: here there is none
# source: https://github.com/docker/docs/pull/12209
# source: https://www.levenx.com/en/issues/what-is-the-function-of-cmd-instruction-in-dockerfile
# lesson: lesson7
# expect: container-starts
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["python", "app.py"]
