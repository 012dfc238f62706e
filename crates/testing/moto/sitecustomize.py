"""Test-only fixes of moto 5.2.5 bugs, loaded only by stackcraft's emulator harness.

`stackcraft_testing::moto::Moto::start` puts this directory first on
PYTHONPATH of the `moto_server` process it spawns, so Python imports this
module at start-up (the `sitecustomize` hook). Nothing else loads it: the
pinned moto venv in $STACKCRAFT_TOOLS is unchanged. Each patch fixes one
specific moto bug, described in `crates/testing/EMULATOR.md`; remove a patch
when the moto pin moves to a version that fixes it.
"""


def _patch_kms_key_tags():
    # moto 5.2.5, moto/kms/models.py, Key.create_from_cloudformation_json passes
    # the template's `Tags` ([{"Key", "Value"}], CloudFormation's shape) to the
    # KMS backend, whose TaggingService expects the KMS API's shape
    # ([{"TagKey", "TagValue"}]): `KeyError: 'TagKey'`, the key is never
    # created, and the stack fails later with "Fn::GetAtt references undefined
    # resource <Key>". Translate the shape, then call the original.
    from moto.kms.models import Key

    original = Key.create_from_cloudformation_json.__func__

    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, *args, **kwargs):
        props = cloudformation_json.get("Properties") or {}
        tags = props.get("Tags")
        if isinstance(tags, list):
            props["Tags"] = [
                {"TagKey": t.get("Key", t.get("TagKey")), "TagValue": t.get("Value", t.get("TagValue"))}
                for t in tags
                if isinstance(t, dict)
            ]
        return original(cls, resource_name, cloudformation_json, *args, **kwargs)

    Key.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)


def _model_acm_certificate():
    # moto 5.2.5 has an ACM backend but no CloudFormation model for
    # AWS::CertificateManager::Certificate: the resource is skipped ("No Moto
    # CloudFormation support"), its Ref resolves to nothing, and an HTTPS
    # listener using it fails in moto/elbv2/models.py
    # convert_and_validate_certificates with `KeyError: 'CertificateArn'`.
    # Model it with the ACM backend's own RequestCertificate (the certificate
    # stays PENDING_VALIDATION, as a DNS-validated one does until its record
    # resolves); the listener then checks the ARN against ACM as moto already does.
    from moto.acm.models import acm_backends
    from moto.core.common_models import CloudFormationModel

    class AcmCertificate(CloudFormationModel):
        # moto's model metaclass derives the service from the module name.
        __module__ = "moto.acm.models"

        def __init__(self, arn, account_id, region_name):
            self.arn = arn
            self.account_id = account_id
            self.region_name = region_name

        @property
        def physical_resource_id(self):
            return self.arn

        @staticmethod
        def cloudformation_name_type():
            return ""

        @staticmethod
        def cloudformation_type():
            return "AWS::CertificateManager::Certificate"

        @classmethod
        def has_cfn_attr(cls, attr):
            return False

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            props = cloudformation_json.get("Properties") or {}
            backend = acm_backends[account_id][region_name]
            arn = backend.request_certificate(
                domain_name=props["DomainName"],
                idempotency_token=None,
                subject_alt_names=props.get("SubjectAlternativeNames") or [],
                tags=props.get("Tags") or [],
            )
            return cls(arn, account_id, region_name)

        def delete(self, account_id, region_name):
            backend = acm_backends[account_id][region_name]
            if self.arn in backend._certificates:
                backend.delete_certificate(self.arn)

    return AcmCertificate


def _patch_alb_canonical_hosted_zone_id():
    # moto 5.2.5, moto/elbv2/models.py FakeLoadBalancer.get_cfn_attribute:
    # CanonicalHostedZoneID is listed as "not implemented" and resolves to
    # nothing, although DescribeLoadBalancers already returns the load
    # balancer's canonical_hosted_zone_id. A Route53 alias record to the ALB
    # (AliasTarget.HostedZoneId = GetAtt Alb.CanonicalHostedZoneID) then
    # fails. Return the value the API returns.
    from moto.elbv2.models import FakeLoadBalancer

    original = FakeLoadBalancer.get_cfn_attribute

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "CanonicalHostedZoneID":
            return self.canonical_hosted_zone_id
        return original(self, attribute_name)

    FakeLoadBalancer.get_cfn_attribute = get_cfn_attribute


def _model_cloud_map():
    # moto 5.2.5 has a Cloud Map (servicediscovery) backend but no
    # CloudFormation model for AWS::ServiceDiscovery::PrivateDnsNamespace or
    # ::Service: both are skipped, and an ECS service's
    # ServiceRegistries[].RegistryArn (GetAtt <CloudMapService>.Arn) then
    # fails with "Fn::GetAtt references undefined resource". Model both with
    # the backend's own CreatePrivateDnsNamespace / CreateService.
    from moto.core.common_models import CloudFormationModel
    from moto.servicediscovery.models import servicediscovery_backends

    # Plain mixin: moto finds models by CloudFormationModel.__subclasses__(),
    # which lists direct subclasses only.
    class _Base:
        def __init__(self, obj):
            self.obj = obj

        @property
        def physical_resource_id(self):
            return self.obj.id

        @staticmethod
        def cloudformation_name_type():
            return ""

        @classmethod
        def has_cfn_attr(cls, attr):
            return attr in cls.ATTRS

        def get_cfn_attribute(self, attribute_name):
            from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

            if attribute_name == "Arn":
                return self.obj.arn
            if attribute_name == "Id":
                return self.obj.id
            if attribute_name == "Name":
                return self.obj.name
            raise UnformattedGetAttTemplateException()

    class CloudMapPrivateDnsNamespace(_Base, CloudFormationModel):
        __module__ = "moto.servicediscovery.models"
        ATTRS = ("Arn", "Id")

        @staticmethod
        def cloudformation_type():
            return "AWS::ServiceDiscovery::PrivateDnsNamespace"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            props = cloudformation_json.get("Properties") or {}
            backend = servicediscovery_backends[account_id][region_name]
            backend.create_private_dns_namespace(
                name=props["Name"],
                creator_request_id=None,
                description=props.get("Description"),
                vpc=props["Vpc"],
                tags=props.get("Tags") or [],
                properties=props.get("Properties") or {},
            )
            ns = next(n for n in backend.namespaces.values() if n.name == props["Name"] and n.vpc == props["Vpc"])
            return cls(ns)

        def delete(self, account_id, region_name):
            backend = servicediscovery_backends[account_id][region_name]
            if self.obj.id in backend.namespaces:
                backend.delete_namespace(self.obj.id)

    class CloudMapService(_Base, CloudFormationModel):
        __module__ = "moto.servicediscovery.models"
        ATTRS = ("Arn", "Id", "Name")

        @staticmethod
        def cloudformation_type():
            return "AWS::ServiceDiscovery::Service"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            props = cloudformation_json.get("Properties") or {}
            backend = servicediscovery_backends[account_id][region_name]
            service = backend.create_service(
                name=props.get("Name") or resource_name,
                namespace_id=props.get("NamespaceId"),
                creator_request_id=None,
                description=props.get("Description"),
                dns_config=props.get("DnsConfig"),
                health_check_config=props.get("HealthCheckConfig"),
                health_check_custom_config=props.get("HealthCheckCustomConfig"),
                tags=props.get("Tags") or [],
                service_type=props.get("Type"),
            )
            return cls(service)

        def delete(self, account_id, region_name):
            servicediscovery_backends[account_id][region_name].delete_service(self.obj.id)

    return CloudMapPrivateDnsNamespace, CloudMapService


def _add_update_termination_protection():
    # moto 5.2.5 does not implement CloudFormation UpdateTerminationProtection
    # (moto/cloudformation/responses.py has no handler: "NotImplementedError:
    # The update_termination_protection action has not been implemented",
    # HTTP 500), which `destroy --force-production` calls to lift a production
    # stack's protection. Store the flag on the stack (moto keeps it from
    # CreateStack already) and answer with the stack id, as the service does.
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    def update_termination_protection(self):
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection", False)
        return ActionResult({"StackId": stack.stack_id})

    CloudFormationResponse.update_termination_protection = update_termination_protection


def _support_get_stack_output():
    # moto 5.2.5's template parser (moto/cloudformation/parsing.py, clean_json)
    # knows Fn::ImportValue but not Fn::GetStackOutput, the intrinsic for
    # cross-region stack outputs: the dict is passed through unresolved and
    # the resource using it fails to create (a stack reading a us-east-1 edge
    # stack's hosted zone then ends "AlreadyExistsException" on the retry).
    # Resolve it from the named stack's outputs in the named region, as
    # CloudFormation does; anything else goes to the original.
    from moto.cloudformation import parsing
    from moto.cloudformation.models import cloudformation_backends

    original = parsing.clean_json

    def clean_json(resource_json, resources_map):
        if isinstance(resource_json, dict) and "Fn::GetStackOutput" in resource_json:
            spec = original(resource_json["Fn::GetStackOutput"], resources_map)
            region = spec.get("Region") or resources_map._region_name
            backend = cloudformation_backends[resources_map._account_id][region]
            stack = backend.get_stack(spec["StackName"])
            for output in stack.outputs or []:
                if output["OutputKey"] == spec["OutputName"]:
                    return output["OutputValue"]
            raise KeyError(f"Fn::GetStackOutput: {spec['StackName']} has no output {spec['OutputName']}")
        return original(resource_json, resources_map)

    parsing.clean_json = clean_json


def _support_prefix_list_ingress():
    # moto 5.2.5, moto/ec2/models/security_groups.py,
    # SecurityGroupIngress.create_from_cloudformation_json asserts a CIDR or a
    # source group and never reads `SourcePrefixListId` (the EC2 API path does
    # support prefix lists): an ingress rule from a managed prefix list (the
    # CloudFront origin-facing list in front of a load balancer) fails with a
    # bare AssertionError. Authorize it through the backend's prefix-list
    # support; every other rule goes to the original.
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.security_groups import SecurityGroupIngress

    original = SecurityGroupIngress.create_from_cloudformation_json.__func__

    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties") or {}
        if props.get("SourcePrefixListId") and props.get("GroupId"):
            backend = ec2_backends[account_id][region_name]
            group = backend.describe_security_groups(group_ids=[props["GroupId"]])[0]
            backend.authorize_security_group_ingress(
                group_name_or_id=group.id,
                ip_protocol=props.get("IpProtocol"),
                from_port=props.get("FromPort"),
                to_port=props.get("ToPort"),
                ip_ranges=[],
                prefix_list_ids=[{"PrefixListId": props["SourcePrefixListId"], "Description": props.get("Description")}],
            )
            return cls(group, props)
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    SecurityGroupIngress.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)


_patch_kms_key_tags()
_ACM_CERTIFICATE_MODEL = _model_acm_certificate()
_patch_alb_canonical_hosted_zone_id()
_CLOUD_MAP_MODELS = _model_cloud_map()
_add_update_termination_protection()
_support_get_stack_output()
_support_prefix_list_ingress()
