"""The custom image and the submit parameters, read as files (Docker has no internet here)."""
import json
import os
import re

from conftest import REPO

SPARK = os.path.join(REPO, "spark")


def _read(*path):
    with open(os.path.join(REPO, *path), encoding="utf-8") as f:
        return f.read()


DOCKERFILE = _read("spark", "Dockerfile")
ARGS = dict(re.findall(r"^ARG (\w+)=(\S+)$", DOCKERFILE, re.M))


def _expand(text):
    return re.sub(r"\$\{(\w+)\}", lambda m: ARGS[m.group(1)], text)


def test_base_image_is_the_stacks_emr_release():
    m = re.search(r"pv-fault:emrReleaseLabel:.*?default: (\S+)", _read("Pulumi.yaml"), re.S)
    assert ARGS["EMR_RELEASE"] == m.group(1)
    froms = re.findall(r"^FROM (\S+)", DOCKERFILE, re.M)
    assert froms == ["public.ecr.aws/emr-serverless/spark/${EMR_RELEASE}:latest"]


def test_runs_as_hadoop_and_installs_as_root():
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, re.M)
    assert users[0] == "root" and users[-1] == "hadoop:hadoop"
    assert DOCKERFILE.index("USER root") < DOCKERFILE.index("RUN ")


def test_every_downloaded_jar_has_a_line_in_jars_sha256_and_matches_spark():
    fetched = [_expand(p) for p in re.findall(r'fetch "([^"]+)"', DOCKERFILE)]
    names = [p.rsplit("/", 1)[1] for p in fetched]
    lines = [l.split() for l in _read("spark", "jars.sha256").splitlines() if l.strip() and not l.startswith("#")]
    assert sorted(n for _, n in lines) == sorted(names)
    for digest, name in lines:
        # either a real sha256 or the explicit placeholder the Dockerfile refuses
        assert re.fullmatch(r"[0-9a-f]{64}", digest) or digest == "UNPINNED", name
    spark_jars = [n for n in names if n.startswith("spark-")]
    assert len(spark_jars) == 3 and all(n.endswith("_%s-%s.jar" % (ARGS["SCALA_BINARY"], ARGS["SPARK_VERSION"])) for n in spark_jars)
    assert {"kafka-clients-3.4.1.jar", "commons-pool2-2.11.1.jar"} <= set(names)
    assert any(re.fullmatch(r"aws-msk-iam-auth-[\d.]+-all\.jar", n) for n in names)
    for p in fetched:
        assert p.startswith(("org/apache/", "software/amazon/msk/"))
    assert "sha256sum -c" in DOCKERFILE and ARGS["MAVEN_CENTRAL"] == "https://repo1.maven.org/maven2"


def test_the_image_has_what_the_jobs_import():
    # the pins have one home, spark/requirements.txt, installed by the image and by the local venv
    assert "pip install --no-cache-dir --only-binary=:all: -r /tmp/requirements.txt" in DOCKERFILE
    assert "COPY spark/requirements.txt /tmp/requirements.txt" in DOCKERFILE
    pins = [l for l in _read("spark", "requirements.txt").splitlines() if l.strip() and not l.startswith("#")]
    assert sorted(p.split("==")[0] for p in pins) == ["PyWavelets", "boto3", "numpy", "pandas", "pyarrow"]
    assert all(re.fullmatch(r"[\w]+==\d+(\.\d+)+", p) for p in pins), pins
    venv = _read("spark", "dev", "venv.sh")
    assert '-r "$root/spark/requirements.txt"' in venv and "pv-fault:sparkVersion" in venv
    contracts_copied = re.search(r"^COPY (contracts/\S+ )+/opt/pvfault/pvfault/contracts_data/$", DOCKERFILE, re.M).group(0).split()[1:-1]
    with open(os.path.join(SPARK, "pvfault", "contracts.py"), encoding="utf-8") as f:
        src = f.read()
    with open(os.path.join(SPARK, "pvfault", "windows.py"), encoding="utf-8") as f:
        src += f.read()
    read = set(re.findall(r'"([\w-]+\.(?:avsc|json))"', src))
    assert {"contracts/" + n for n in read} == set(contracts_copied)
    ignore = _read("spark", "Dockerfile.dockerignore").split()
    for path in re.findall(r"^COPY (.+) \S+$", DOCKERFILE, re.M):
        for p in path.split():
            assert "!" + p in ignore or "!" + p + "/" in ignore, p


def test_submit_parameters_are_confs_only_with_the_images_python():
    params = json.loads(_read("spark", "submit-parameters.json"))
    assert set(params) == {"ingest", "predict"}
    python = re.search(r"RUN (\S+) -m pip install", DOCKERFILE).group(1)
    for job, text in params.items():
        tokens = text.split()
        assert tokens[0::2] == ["--conf"] * (len(tokens) // 2) and len(tokens) % 2 == 0, job
        conf = dict(t.split("=", 1) for t in tokens[1::2])
        assert "--packages" not in text and "spark.jars.packages" not in conf  # no NAT: nothing is fetched at run time
        assert conf["spark.emr-serverless.driverEnv.PYSPARK_PYTHON"] == python == conf["spark.executorEnv.PYSPARK_PYTHON"]
        assert int(conf["spark.sql.shuffle.partitions"]) > 0
