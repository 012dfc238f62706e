//! The resource types that hold data: replacing or removing one loses it.

/// CloudFormation types whose replacement or removal loses data or identity
/// that cannot be recreated (databases, tables, buckets, caches, file
/// systems, KMS keys, log groups, repositories, user pools, secrets, ...).
pub const STATEFUL_TYPES: &[&str] = &[
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::S3::Bucket",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::ServerlessCache",
    "AWS::EFS::FileSystem",
    "AWS::FSx::FileSystem",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::ECR::Repository",
    "AWS::Cognito::UserPool",
    "AWS::SecretsManager::Secret",
    "AWS::SQS::Queue",
    "AWS::Kinesis::Stream",
    "AWS::MSK::Cluster",
    "AWS::MSK::ServerlessCluster",
    "AWS::OpenSearchService::Domain",
    "AWS::Elasticsearch::Domain",
    "AWS::Neptune::DBCluster",
    "AWS::DocDB::DBCluster",
    "AWS::Redshift::Cluster",
    "AWS::Backup::BackupVault",
    "AWS::Route53::HostedZone",
    "AWS::CertificateManager::Certificate",
];

/// Whether `type_name` holds data.
pub fn is_stateful(type_name: &str) -> bool {
    STATEFUL_TYPES.contains(&type_name)
}
