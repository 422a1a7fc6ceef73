// A real OpenID Connect provider for the single sign-on tests: panva's certified
// oidc-provider (package.json), with its development login and consent pages.
// Settings come from the environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, and
// ACCOUNTS, a JSON object of login name → claims. Any password is accepted for a listed
// login (the development login page); an unlisted login has no account.
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const accounts = JSON.parse(process.env.ACCOUNTS || "{}");

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true },
  claims: {
    openid: ["sub"],
    profile: ["name", "preferred_username"],
    phone: ["phone_number", "phone_number_verified"],
  },
  cookies: { keys: ["test-only-cookie-key-1"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    if (!accounts[id]) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) };
  },
});

provider.listen(port, "127.0.0.1", () => console.log(`ready ${port}`));
