// The database connections of one web or worker process (Sequelize's pool): fixed, since the identity
// provider's turns (IDP_CONCURRENT_REQUESTS) are checked against it.
export const DATABASE_POOL_MAX = 10;
