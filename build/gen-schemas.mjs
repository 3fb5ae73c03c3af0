// Placeholder until the OpenAPI work lands.
export async function generateSchemas() {}
