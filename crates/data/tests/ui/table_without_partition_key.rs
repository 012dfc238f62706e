// A DynamoDB table needs a typed partition key: the builder does not build without one.
use stackcraft_data::{Attribute, TableProps};

fn main() {
    let _ = TableProps::builder().sort_key(Attribute::string("sk")).build();
}
