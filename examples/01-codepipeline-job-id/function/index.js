// The integration-test function of seed 000: CodePipeline passes the job in
// event['CodePipeline.job']; the function reports the outcome with
// PutJobSuccessResult or PutJobFailureResult (AWS SDK for JavaScript v3, which
// the Lambda Node.js runtimes ship).
const { CodePipelineClient, PutJobSuccessResultCommand, PutJobFailureResultCommand } = require('@aws-sdk/client-codepipeline');

const codepipeline = new CodePipelineClient({});

exports.handler = async (event, context) => {
    // CodePipelineからのジョブIDを取得
    const jobId = event['CodePipeline.job'].id;
    const userParameters = event['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters || '';
    try {
        console.log(`Job ID: ${jobId}`);
        if (userParameters === 'fail') {
            throw new Error('integration tests failed');
        }
        await codepipeline.send(new PutJobSuccessResultCommand({ jobId }));
        console.log('Job succeeded:', jobId);
    } catch (error) {
        console.error(`Job failed with ID: ${jobId}`);
        await codepipeline.send(new PutJobFailureResultCommand({
            jobId,
            failureDetails: { message: error.message, type: 'JobFailed', externalExecutionId: context.awsRequestId },
        }));
    }
};
