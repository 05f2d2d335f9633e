// Measures whole-transaction gas (receipt.gasUsed: 21,000 base + calldata + execution − refunds) of
// every channel lifecycle operation on a real anvil, prints a table next to µRaiden's figures and
// exits 1 when a target is missed. Needs `node scripts/forge.mjs build` first (reads contracts/out).
// Usage: npx tsx scripts/gas-report.ts [--markdown]
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Abi,
  type Address,
  type Hex,
  concat,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  encodePacked,
  http,
  keccak256,
  numberToHex,
  parseEther,
  parseSignature,
  parseUnits,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { buildChain, LOCAL_CHAIN_ID } from "../lib/chain/chain";
import { channelDomain, permitTypes } from "../lib/protocol/eip712";
import { signBalanceProof, signClosingProof } from "../lib/protocol/proofs";
import { startAnvil } from "./lib/anvil";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CHALLENGE_PERIOD = 500;

// anvil's default dev accounts 0..2 (public test keys)
const deployer = privateKeyToAccount(
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
);
const reader = privateKeyToAccount(
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
);
const publisher = privateKeyToAccount(
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9d8928e65a365",
);

// EIP-3009 ReceiveWithAuthorization (USDC's type) and the channel contract's OpenIntent (docs/protocol.md).
const receiveWithAuthorizationTypes = {
  ReceiveWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;
const openIntentTypes = {
  OpenIntent: [
    { name: "receiver", type: "address" },
    { name: "signer", type: "address" },
    { name: "deposit", type: "uint192" },
    { name: "deadline", type: "uint256" },
    { name: "nonce", type: "uint256" },
  ],
} as const;

function artifact(file: string, name: string): { abi: Abi; bytecode: Hex } {
  const json = JSON.parse(
    readFileSync(path.join(root, "contracts/out", file, `${name}.json`), "utf8"),
  );
  return { abi: json.abi, bytecode: json.bytecode.object };
}

async function main() {
  const markdown = process.argv.includes("--markdown");
  const anvil = await startAnvil();
  try {
    const transport = http(anvil.rpcUrl);
    const chain = buildChain(LOCAL_CHAIN_ID, anvil.rpcUrl);
    const pub = createPublicClient({ chain, transport });
    const wallet = (account: PrivateKeyAccount) =>
      createWalletClient({ account, chain, transport });

    async function send(
      account: PrivateKeyAccount,
      address: Address,
      abi: Abi,
      functionName: string,
      args: unknown[],
    ) {
      const hash = await wallet(account).writeContract({
        address,
        abi,
        functionName,
        args,
        chain,
        account,
      });
      const receipt = await pub.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
      return { gas: receipt.gasUsed, block: Number(receipt.blockNumber) };
    }

    async function deploy(name: string, file: string, args: unknown[]) {
      const { abi, bytecode } = artifact(file, name);
      const hash = await wallet(deployer).deployContract({
        abi,
        bytecode,
        args,
        chain,
        account: deployer,
      });
      const receipt = await pub.waitForTransactionReceipt({ hash });
      return { address: receipt.contractAddress as Address, abi };
    }

    const token = await deploy("DemoToken", "DemoToken.sol", [parseEther("1000000")]);
    const channels = await deploy("MicroTransferChannels", "MicroTransferChannels.sol", [
      token.address,
      CHALLENGE_PERIOD,
    ]);
    const T = (account: PrivateKeyAccount, fn: string, args: unknown[]) =>
      send(account, token.address, token.abi, fn, args);
    const C = (account: PrivateKeyAccount, fn: string, args: unknown[]) =>
      send(account, channels.address, channels.abi, fn, args);

    // The publisher key is not one of anvil's funded accounts on every anvil version: fund it.
    await pub.request({
      method: "anvil_setBalance" as never,
      params: [publisher.address, numberToHex(parseEther("100"))] as never,
    });
    // Seed: both parties already hold tokens, and the contract already escrows another channel's deposit.
    await T(deployer, "transfer", [reader.address, parseEther("1000")]);
    await T(deployer, "transfer", [publisher.address, parseEther("1")]);
    await T(deployer, "approve", [channels.address, parseEther("10")]);
    await C(deployer, "createChannel", [
      publisher.address,
      parseEther("10"),
      "0x0000000000000000000000000000000000000000",
    ]);

    const chainId = chain.id;
    const domain = channelDomain({ chainId, contract: channels.address });
    const balanceSig = (signer: PrivateKeyAccount, sender: Address, ob: number, balance: bigint) =>
      signBalanceProof({
        account: signer,
        domain,
        message: { sender, receiver: publisher.address, openBlockNumber: ob, balance },
      });
    const closingSig = (sender: Address, ob: number, balance: bigint) =>
      signClosingProof({
        account: publisher,
        domain,
        message: { sender, receiver: publisher.address, openBlockNumber: ob, balance },
      });
    const permit = async (owner: PrivateKeyAccount, value: bigint) => {
      const nonce = (await pub.readContract({
        address: token.address,
        abi: token.abi,
        functionName: "nonces",
        args: [owner.address],
      })) as bigint;
      const deadline = 2n ** 48n;
      const sig = await owner.signTypedData({
        domain: { name: "Demo Token", version: "1", chainId, verifyingContract: token.address },
        types: permitTypes,
        primaryType: "Permit",
        message: { owner: owner.address, spender: channels.address, value, nonce, deadline },
      });
      const { r, s, yParity } = parseSignature(sig);
      return [deadline, 27 + yParity, r, s] as const;
    };
    const ZERO = "0x0000000000000000000000000000000000000000";
    const erc223 = (amount: bigint, data: Hex) =>
      T(reader, "transfer", [channels.address, amount, data]);
    const D = parseEther("5");

    const rows: { op: string; gas: bigint; uraiden?: number; note?: string }[] = [];

    // --- channel A: the reader's one-transaction path (first permit ever for this reader: nonce 0)
    const permitOpen = await C(reader, "createChannelWithPermit", [
      publisher.address,
      D,
      ZERO,
      ...(await permit(reader, D)),
    ]);
    const permitTopUp = await C(reader, "topUpWithPermit", [
      publisher.address,
      permitOpen.block,
      D,
      ...(await permit(reader, D)),
    ]);
    const coopBalance = parseEther("3");
    const coop = await C(deployer, "cooperativeClose", [
      reader.address,
      publisher.address,
      permitOpen.block,
      coopBalance,
      await balanceSig(reader, reader.address, permitOpen.block, coopBalance),
      await closingSig(reader.address, permitOpen.block, coopBalance),
    ]);

    // --- channel B: approve + createChannel, approve + topUp, withdrawals
    const approve1 = await T(reader, "approve", [channels.address, D]);
    const create = await C(reader, "createChannel", [publisher.address, D, ZERO]);
    const approve2 = await T(reader, "approve", [channels.address, D]);
    const topUp = await C(reader, "topUp", [publisher.address, create.block, D]);
    const w1 = await C(publisher, "withdraw", [
      reader.address,
      create.block,
      parseEther("1"),
      await balanceSig(reader, reader.address, create.block, parseEther("1")),
    ]);
    const w2 = await C(publisher, "withdraw", [
      reader.address,
      create.block,
      parseEther("2"),
      await balanceSig(reader, reader.address, create.block, parseEther("2")),
    ]);

    // --- channel C: ERC-223 open and top-up, then uncooperative close and settle
    const open223 = await erc223(D, concat([reader.address, publisher.address]));
    const topUp223 = await erc223(
      D,
      encodePacked(
        ["address", "address", "uint32"],
        [reader.address, publisher.address, open223.block],
      ),
    );
    const uncoop = await C(reader, "uncooperativeClose", [
      publisher.address,
      open223.block,
      parseEther("2"),
    ]);
    await pub.request({
      method: "anvil_mine" as never,
      params: [numberToHex(CHALLENGE_PERIOD + 1)] as never,
    });
    const settle = await C(reader, "settle", [publisher.address, open223.block]);

    // --- extras: a session signer costs one more storage slot
    const session = privateKeyToAccount(("0x" + "5e".repeat(32)) as Hex);
    const permitOpenSigner = await C(reader, "createChannelWithPermit", [
      publisher.address,
      D,
      session.address,
      ...(await permit(reader, D)),
    ]);
    const open223Signer = await erc223(
      D,
      concat([reader.address, publisher.address, session.address]),
    );

    // --- relayed paths: the reader signs, the publisher submits (and pays the gas)
    // createChannelFor on the permit-only DemoToken: permit + OpenIntent (the reader's first intent).
    const intentNonce = (await pub.readContract({
      address: channels.address,
      abi: channels.abi,
      functionName: "openIntentNonces",
      args: [reader.address],
    })) as bigint;
    const [intentDeadline, pv, pr, ps] = await permit(reader, D);
    const intentSig = await reader.signTypedData({
      domain,
      types: openIntentTypes,
      primaryType: "OpenIntent",
      message: {
        receiver: publisher.address,
        signer: ZERO,
        deposit: D,
        deadline: intentDeadline,
        nonce: intentNonce,
      },
    });
    const openFor = await C(publisher, "createChannelFor", [
      reader.address,
      publisher.address,
      D,
      ZERO,
      intentDeadline,
      intentSig,
      pv,
      pr,
      ps,
    ]);

    // EIP-3009 on DemoDollar (6 decimals), with its own channel contract, seeded like the first one.
    const dollar = await deploy("DemoDollar", "DemoDollar.sol", [0n]);
    const dollarChannels = await deploy("MicroTransferChannels", "MicroTransferChannels.sol", [
      dollar.address,
      CHALLENGE_PERIOD,
    ]);
    const USD = (n: string) => parseUnits(n, 6);
    await send(deployer, dollar.address, dollar.abi, "mintTo", [deployer.address, USD("1000")]);
    await send(deployer, dollar.address, dollar.abi, "mintTo", [reader.address, USD("1000")]);
    await send(deployer, dollar.address, dollar.abi, "approve", [
      dollarChannels.address,
      USD("10"),
    ]);
    await send(deployer, dollarChannels.address, dollarChannels.abi, "createChannel", [
      publisher.address,
      USD("10"),
      ZERO,
    ]);
    const receiveAuth = async (value: bigint, nonce: Hex) => {
      const validBefore = 2n ** 48n;
      const sig = await reader.signTypedData({
        domain: { name: "Demo Dollar", version: "2", chainId, verifyingContract: dollar.address },
        types: receiveWithAuthorizationTypes,
        primaryType: "ReceiveWithAuthorization",
        message: {
          from: reader.address,
          to: dollarChannels.address,
          value,
          validAfter: 0n,
          validBefore,
          nonce,
        },
      });
      const { r, s, yParity } = parseSignature(sig);
      return [0n, validBefore, 27 + yParity, r, s] as const;
    };
    const DU = USD("5");
    const openSalt = keccak256(encodePacked(["string"], ["gas-report open"]));
    const openNonce = keccak256(
      encodeAbiParameters(
        [{ type: "address" }, { type: "address" }, { type: "bytes32" }],
        [publisher.address, ZERO, openSalt],
      ),
    );
    const authOpen = await send(
      publisher,
      dollarChannels.address,
      dollarChannels.abi,
      "createChannelWithAuthorization",
      [
        reader.address,
        publisher.address,
        DU,
        ZERO,
        openSalt,
        ...(await receiveAuth(DU, openNonce)),
      ],
    );
    const topUpSalt = keccak256(encodePacked(["string"], ["gas-report top-up"]));
    const channelKey = keccak256(
      encodePacked(
        ["address", "address", "uint32"],
        [reader.address, publisher.address, authOpen.block],
      ),
    );
    const topUpNonce = keccak256(
      encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [channelKey, topUpSalt]),
    );
    const authTopUp = await send(
      publisher,
      dollarChannels.address,
      dollarChannels.abi,
      "topUpWithAuthorization",
      [
        reader.address,
        publisher.address,
        authOpen.block,
        DU,
        topUpSalt,
        ...(await receiveAuth(DU, topUpNonce)),
      ],
    );

    rows.push(
      {
        op: "approve + createChannel (2 txs)",
        gas: approve1.gas + create.gas,
        uraiden: 115_791,
        note: `${approve1.gas} + ${create.gas}`,
      },
      {
        op: "createChannelWithPermit (1 tx, first permit of the account)",
        gas: permitOpen.gas,
        note: "target ≤ 100,000",
      },
      { op: "ERC-223 open (transfer with 40-byte data)", gas: open223.gas, uraiden: 71_244 },
      {
        op: "approve + topUp (2 txs)",
        gas: approve2.gas + topUp.gas,
        uraiden: 98_881,
        note: `${approve2.gas} + ${topUp.gas}`,
      },
      { op: "topUpWithPermit (1 tx)", gas: permitTopUp.gas },
      { op: "ERC-223 top-up (44-byte data)", gas: topUp223.gas, uraiden: 54_910 },
      { op: "withdraw, first", gas: w1.gas, uraiden: 76_751 },
      { op: "withdraw, later", gas: w2.gas, uraiden: 59_663 },
      { op: "cooperativeClose", gas: coop.gas, uraiden: 70_750 },
      { op: "uncooperativeClose", gas: uncoop.gas, uraiden: 52_608 },
      { op: "settle", gas: settle.gas, uraiden: 57_580 },
      { op: "createChannelWithPermit with session signer", gas: permitOpenSigner.gas },
      { op: "ERC-223 open with session signer (60-byte data)", gas: open223Signer.gas },
      {
        op: "createChannelFor (1 tx, relayed: permit + OpenIntent, first intent of the account)",
        gas: openFor.gas,
      },
      {
        op: "createChannelWithAuthorization (1 tx, relayed, DemoDollar, first authorization of the account)",
        gas: authOpen.gas,
        note: "target ≤ 100,000",
      },
      {
        op: "topUpWithAuthorization (1 tx, relayed, DemoDollar)",
        gas: authTopUp.gas,
        note: "target ≤ 80,000",
      },
    );
    const lifecycle = permitOpen.gas + permitTopUp.gas + coop.gas;
    rows.push({
      op: "reader lifecycle: permit open + permit top-up + cooperativeClose",
      gas: lifecycle,
      uraiden: 285_422,
      note: "target ≤ 200,000",
    });

    const fmt = (n: bigint | number) => n.toLocaleString("en-US");
    if (markdown) {
      console.log(
        "| operation | this contract | µRaiden 0.2 | ratio | note |\n|---|---:|---:|---:|---|",
      );
      for (const r of rows) {
        const ratio = r.uraiden ? `${Math.round((Number(r.gas) / r.uraiden) * 100)}%` : "";
        console.log(
          `| ${r.op} | ${fmt(r.gas)} | ${r.uraiden ? fmt(r.uraiden) : "—"} | ${ratio} | ${r.note ?? ""} |`,
        );
      }
    } else {
      console.table(rows.map((r) => ({ ...r, gas: Number(r.gas) })));
    }

    const failures: string[] = [];
    for (const r of rows)
      if (r.uraiden && r.gas > BigInt(r.uraiden))
        failures.push(`${r.op}: ${r.gas} > µRaiden ${r.uraiden}`);
    if (permitOpen.gas > 100_000n) failures.push(`permit open ${permitOpen.gas} > 100,000`);
    if (lifecycle > 200_000n) failures.push(`lifecycle ${lifecycle} > 200,000`);
    if (authOpen.gas > 100_000n) failures.push(`relayed open (EIP-3009) ${authOpen.gas} > 100,000`);
    if (authTopUp.gas > 80_000n)
      failures.push(`relayed top-up (EIP-3009) ${authTopUp.gas} > 80,000`);
    if (failures.length) {
      console.error(`gas targets missed:\n  ${failures.join("\n  ")}`);
      process.exitCode = 1;
    } else {
      console.error("all gas targets met");
    }
  } finally {
    await anvil.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
